package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HAProxy's consistent hashing (src/lb_chash.c), used by {@code hash-type consistent} and by
 * {@code balance random}. Each usable server has one ring point per unit of effective weight
 * (user weight x 16) at {@code full_hash(id * 4096 + j)}. A key takes the closer of the points
 * around it, the previous one winning ties, walking on past an avoided server. {@code random}
 * draws that many random keys and keeps the least loaded of the servers they land on. Without a
 * key, the ring is walked in turn. Only the keys next to a server's points move when it goes up or
 * down.
 */
public final class Chash implements Balancer {
  private final Servers servers;
  private final HashKey hash;
  private final int draws;
  private long[] keys = new long[0];
  private UpstreamTarget[] owners = new UpstreamTarget[0];
  private long signature = -1;
  private int last = -1;
  private boolean singleServer;

  /**
   * @param hash the key to hash, or null for random
   * @param draws random draws (HAProxy's default 2); ignored when hashing
   */
  public Chash(List<UpstreamTarget> targets, boolean allBackups, HashKey hash, int draws) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.hash = hash;
    this.draws = draws;
  }

  private long signature() {
    long s = 17;
    for (UpstreamTarget t : servers.all) {
      s = s * 31 + (t.usable() ? t.effectiveWeight() + 1 : 0);
    }
    return s;
  }

  private void rebuild() {
    Boolean backups = servers.group();
    int count = 0;
    if (backups != null) {
      for (UpstreamTarget t : servers.all) {
        if (Servers.inGroup(t, backups) && t.usable()) {
          count += t.effectiveWeight();
        }
      }
    }
    long[] packed = new long[count];
    int k = 0;
    if (backups != null) {
      for (int i = 0; i < servers.all.length; i++) {
        UpstreamTarget t = servers.all[i];
        if (!Servers.inGroup(t, backups) || !t.usable()) {
          continue;
        }
        int points = t.effectiveWeight();
        for (int j = 0; j < points; j++) {
          long key = HashKey.fullHash((long) t.options().id() * 4096 + j);
          packed[k++] = (key << 20) | i;
        }
      }
    }
    Arrays.sort(packed);
    keys = new long[count];
    owners = new UpstreamTarget[count];
    for (int p = 0; p < count; p++) {
      keys[p] = packed[p] >>> 20;
      owners[p] = servers.all[(int) (packed[p] & 0xFFFFF)];
    }
    last = -1;
    singleServer = Arrays.stream(owners).distinct().count() == 1;
  }

  @Override
  public synchronized UpstreamTarget pick(PickContext context, Avoid avoid) {
    long sig = signature();
    if (sig != signature) {
      signature = sig;
      rebuild();
    }
    UpstreamTarget sole = servers.soleBackup();
    if (sole != null) {
      return sole;
    }
    if (keys.length == 0) {
      return null;
    }
    if (hash == null) {
      return random(avoid);
    }
    long key = hash.key(context);
    if (key == HashKey.NONE) {
      return next(avoid);
    }
    // With one server left there is nothing to hash (HAProxy skips it too).
    return byKey(singleServer ? 0 : key, avoid);
  }

  /** chash_get_server_hash: the closer neighbour of {@code hash}, the previous one on a tie. */
  UpstreamTarget byKey(long hash, Avoid avoid) {
    int n = keys.length;
    int next = Arrays.binarySearch(keys, hash);
    if (next < 0) {
      next = -next - 1;
    } else {
      while (next > 0 && keys[next - 1] == hash) {
        next--;
      }
    }
    if (next == n) {
      next = 0;
    }
    int prev = next == 0 ? n - 1 : next - 1;
    long dp = (hash - keys[prev]) & 0xFFFFFFFFL;
    long dn = (keys[next] - hash) & 0xFFFFFFFFL;
    int at = dp <= dn ? prev : next;
    for (int loop = 0; loop < n && avoid.avoid(owners[at]); loop++) {
      at = (at + 1) % n;
    }
    return owners[at];
  }

  /** chash_get_next_server: walks the ring in turn, skipping full and avoided servers. */
  private UpstreamTarget next(Avoid avoid) {
    int n = keys.length;
    UpstreamTarget avoided = null;
    int avoidedAt = -1;
    int node = last;
    for (int i = 0; i < n; i++) {
      node = (node + 1) % n;
      UpstreamTarget t = owners[node];
      if (Servers.free(t)) {
        if (!avoid.avoid(t)) {
          last = node;
          return t;
        }
        avoided = t;
        avoidedAt = node;
      }
    }
    if (avoided != null) {
      last = avoidedAt;
    }
    return avoided;
  }

  /** get_server_rnd: the least loaded (in flight / weight) of {@code draws} random landings. */
  private UpstreamTarget random(Avoid avoid) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    UpstreamTarget best = null;
    for (int i = 0; i < draws; i++) {
      UpstreamTarget t = byKey(r.nextLong() & 0xFFFFFFFFL, avoid);
      if (best == null
          || (long) t.state().inFlight() * best.currentWeight() < (long) best.state().inFlight() * t.currentWeight()) {
        best = t;
      }
    }
    return best;
  }

  int points() {
    return keys.length;
  }
}
