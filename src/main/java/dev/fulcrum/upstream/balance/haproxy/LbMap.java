package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.List;

/**
 * HAProxy's map-based algorithms (src/lb_map.c): {@code static-rr}, and {@code source}, {@code
 * uri}, {@code url_param}, {@code hdr()} with {@code hash-type map-based}. The map has one slot per
 * unit of weight (weights divided by their gcd) with servers interleaved by weight, the first
 * declared winning ties. Static-rr walks it; hashing takes {@code map[hash % slots]}, and a
 * request without its key walks it like static-rr. The map is rebuilt when a server changes state.
 */
public final class LbMap implements Balancer {
  private final Servers servers;
  private final HashKey hash;
  private final int gcd;
  private UpstreamTarget[] map = new UpstreamTarget[0];
  private long signature = -1;
  private int rrIndex;
  private int distinct;

  /** @param hash null for static-rr */
  public LbMap(List<UpstreamTarget> targets, boolean allBackups, HashKey hash) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.hash = hash;
    int g = 0;
    for (UpstreamTarget t : targets) {
      g = gcd(g, t.weight());
    }
    this.gcd = g == 0 ? 1 : g;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  /** A fingerprint of who is usable with which weight: when it changes the map is rebuilt. */
  private long signature() {
    long s = 17;
    for (UpstreamTarget t : servers.all) {
      s = s * 31 + (t.usable() ? t.currentWeight() + 1 : 0);
    }
    return s;
  }

  private void rebuild() {
    Boolean backups = servers.group();
    if (backups == null) {
      map = new UpstreamTarget[0];
      return;
    }
    int tot = 0;
    for (UpstreamTarget t : servers.all) {
      if (Servers.inGroup(t, backups) && t.usable()) {
        tot += t.currentWeight() / gcd;
      }
    }
    UpstreamTarget[] m = new UpstreamTarget[tot];
    long[] wscore = new long[servers.all.length];
    for (int o = 0; o < tot; o++) {
      int best = -1;
      long max = 0;
      for (int i = 0; i < servers.all.length; i++) {
        UpstreamTarget t = servers.all[i];
        if (!Servers.inGroup(t, backups) || !t.usable()) {
          continue;
        }
        if (tot == 1) {
          best = i;
          break;
        }
        wscore[i] += t.currentWeight() / gcd;
        long v = (wscore[i] + tot) / tot;
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      m[o] = servers.all[best];
      wscore[best] -= tot;
    }
    map = m;
    rrIndex = 0;
    distinct = (int) java.util.Arrays.stream(m).distinct().count();
  }

  @Override
  public synchronized UpstreamTarget pick(PickContext context, Avoid avoid) {
    long sig = signature();
    if (sig != signature) {
      signature = sig;
      rebuild();
    }
    if (map.length == 0) {
      return null;
    }
    UpstreamTarget sole = servers.soleBackup();
    if (sole != null) {
      return sole;
    }
    if (hash != null) {
      long key = hash.key(context);
      if (key != HashKey.NONE) {
        // With one server left there is nothing to hash (HAProxy skips it too).
        return map[(int) ((distinct == 1 ? 0 : key) % map.length)];
      }
    }
    return roundRobin(avoid);
  }

  /** map_get_server_rr: the next free, not avoided slot; an avoided one if nothing else. */
  private UpstreamTarget roundRobin(Avoid avoid) {
    if (rrIndex < 0 || rrIndex >= map.length) {
      rrIndex = 0;
    }
    int idx = rrIndex;
    UpstreamTarget avoided = null;
    int avoidedIdx = 0;
    do {
      UpstreamTarget t = map[idx++];
      if (Servers.free(t)) {
        avoided = t;
        avoidedIdx = idx;
        if (!avoid.avoid(t)) {
          rrIndex = idx;
          return t;
        }
      }
      if (idx == map.length) {
        idx = 0;
      }
    } while (idx != rrIndex);
    if (avoided != null) {
      rrIndex = avoidedIdx;
    }
    return avoided;
  }

  int slots() {
    return map.length;
  }
}
