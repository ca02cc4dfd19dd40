package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

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
  /** The ring of one state of the servers. */
  private record Layout(long[] keys, UpstreamTarget[] owners, boolean oneServer) {}

  private final Servers servers;
  private final HashKey hash;
  private final int draws;
  private final AtomicInteger last = new AtomicInteger(-1);
  private volatile Layout layout;

  /**
   * @param hash the key to hash, or null for random
   * @param draws random draws (HAProxy's default 2); ignored when hashing
   */
  public Chash(List<UpstreamTarget> targets, boolean allBackups, HashKey hash, int draws) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.hash = hash;
    this.draws = draws;
    update();
  }

  @Override
  public synchronized void update() {
    List<UpstreamTarget> serving = servers.serving();
    int count = 0;
    for (UpstreamTarget t : serving) {
      count += t.effectiveWeight();
    }
    long[] packed = new long[count];
    int k = 0;
    for (int i = 0; i < serving.size(); i++) {
      UpstreamTarget t = serving.get(i);
      int points = t.effectiveWeight();
      for (int j = 0; j < points; j++) {
        long key = HashKey.fullHash((long) t.options().id() * 4096 + j);
        packed[k++] = (key << 20) | i;
      }
    }
    Arrays.sort(packed);
    long[] keys = new long[count];
    UpstreamTarget[] owners = new UpstreamTarget[count];
    for (int p = 0; p < count; p++) {
      keys[p] = packed[p] >>> 20;
      owners[p] = serving.get((int) (packed[p] & 0xFFFFF));
    }
    layout = new Layout(keys, owners, serving.size() == 1);
    last.set(-1);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    Layout l = layout;
    if (l.keys().length == 0) {
      return null;
    }
    if (hash == null) {
      return random(l, avoid);
    }
    long key = hash.key(context);
    if (key == HashKey.NONE) {
      return next(l, avoid);
    }
    // With one server left there is nothing to hash (HAProxy skips it too).
    return byKey(l, l.oneServer() ? 0 : key, avoid);
  }

  /** chash_get_server_hash: the closer neighbour of {@code hash}, the previous one on a tie. */
  private static UpstreamTarget byKey(Layout l, long hash, Avoid avoid) {
    long[] keys = l.keys();
    UpstreamTarget[] owners = l.owners();
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
  private UpstreamTarget next(Layout l, Avoid avoid) {
    UpstreamTarget[] owners = l.owners();
    int n = owners.length;
    UpstreamTarget avoided = null;
    int avoidedAt = -1;
    int node = Math.floorMod(last.get(), n);
    for (int i = 0; i < n; i++) {
      node = (node + 1) % n;
      UpstreamTarget t = owners[node];
      if (Servers.free(t)) {
        if (!avoid.avoid(t)) {
          last.set(node);
          return t;
        }
        if (avoided == null) {
          avoided = t;
          avoidedAt = node;
        }
      }
    }
    if (avoided != null) {
      last.set(avoidedAt);
    }
    return avoided;
  }

  /** get_server_rnd: the least loaded (in flight / weight) of {@code draws} random landings. */
  private UpstreamTarget random(Layout l, Avoid avoid) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    UpstreamTarget best = null;
    for (int i = 0; i < draws; i++) {
      UpstreamTarget t = byKey(l, r.nextLong() & 0xFFFFFFFFL, avoid);
      if (best == null
          || (long) t.state().inFlight() * best.currentWeight() < (long) best.state().inFlight() * t.currentWeight()) {
        best = t;
      }
    }
    return best;
  }

  int points() {
    return layout.keys().length;
  }
}
