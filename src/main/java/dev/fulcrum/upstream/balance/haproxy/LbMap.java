package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HAProxy's map-based algorithms (src/lb_map.c): {@code static-rr}, and {@code source}, {@code
 * uri}, {@code url_param}, {@code hdr()} with {@code hash-type map-based}. The map has one slot per
 * unit of weight (weights divided by their gcd) with servers interleaved by weight, the first
 * declared winning ties. Static-rr walks it; hashing takes {@code map[hash % slots]}, and a
 * request without its key walks it like static-rr. The map is rebuilt when a server changes state
 * ({@link #update}); a pick reads it and steps one atomic index.
 */
public final class LbMap implements Balancer {
  /** The map of one state of the servers. */
  private record Layout(UpstreamTarget[] map, boolean oneServer) {}

  private final Servers servers;
  private final HashKey hash;
  private final int gcd;
  private final AtomicInteger rrIndex = new AtomicInteger();
  private volatile Layout layout;

  /** @param hash null for static-rr */
  public LbMap(List<UpstreamTarget> targets, boolean allBackups, HashKey hash) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.hash = hash;
    int g = 0;
    for (UpstreamTarget t : targets) {
      g = gcd(g, t.weight());
    }
    this.gcd = g == 0 ? 1 : g;
    update();
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public synchronized void update() {
    List<UpstreamTarget> serving = servers.serving();
    int tot = 0;
    for (UpstreamTarget t : serving) {
      tot += t.currentWeight() / gcd;
    }
    UpstreamTarget[] m = new UpstreamTarget[tot];
    long[] wscore = new long[serving.size()];
    for (int o = 0; o < tot; o++) {
      int best = -1;
      long max = 0;
      for (int i = 0; i < serving.size(); i++) {
        if (tot == 1) {
          best = i;
          break;
        }
        wscore[i] += serving.get(i).currentWeight() / gcd;
        long v = (wscore[i] + tot) / tot;
        if (best < 0 || v > max) {
          max = v;
          best = i;
        }
      }
      m[o] = serving.get(best);
      wscore[best] -= tot;
    }
    layout = new Layout(m, Arrays.stream(m).distinct().count() == 1);
    rrIndex.set(0);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    Layout l = layout;
    UpstreamTarget[] map = l.map();
    if (map.length == 0) {
      return null;
    }
    if (hash != null) {
      long key = hash.key(context);
      if (key != HashKey.NONE) {
        // With one server left there is nothing to hash (HAProxy skips it too).
        return map[(int) ((l.oneServer() ? 0 : key) % map.length)];
      }
    }
    return roundRobin(map, avoid);
  }

  /** map_get_server_rr: the next free, not avoided slot; an avoided one if nothing else. */
  private UpstreamTarget roundRobin(UpstreamTarget[] map, Avoid avoid) {
    int start = Math.floorMod(rrIndex.get(), map.length);
    UpstreamTarget avoided = null;
    int avoidedAt = -1;
    for (int i = 0; i < map.length; i++) {
      int idx = (start + i) % map.length;
      UpstreamTarget t = map[idx];
      if (!Servers.free(t)) {
        continue;
      }
      if (!avoid.avoid(t)) {
        rrIndex.set(idx + 1);
        return t;
      }
      if (avoided == null) {
        avoided = t;
        avoidedAt = idx;
      }
    }
    if (avoided != null) {
      rrIndex.set(avoidedAt + 1);
    }
    return avoided;
  }

  int slots() {
    return layout.map().length;
  }
}
