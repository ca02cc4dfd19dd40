package dev.fulcrum.upstream.balance;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.Arrays;
import java.util.List;

/**
 * Kong's consistent hashing: a continuum of {@code slots} positions (at least 1000) on which each
 * target gets about 160 points per average share of weight ({@code weight / total * targets *
 * 160}), placed by hashing its name. A request hashes its key (hash_on, then hash_fallback, else
 * the empty string) onto the continuum and takes the next usable target clockwise. A target's
 * points depend only on its name and share, so adding or removing one moves only the keys next to
 * its points, about 1/n of them.
 */
public final class ConsistentHashing implements Balancer {
  static final int POINTS_PER_TARGET = 160;

  private final long continuum;
  private final long[] positions;
  private final UpstreamTarget[] owners;
  private final Upstream.HashSpec primary;
  private final Upstream.HashSpec fallback;

  public ConsistentHashing(Upstream upstream, List<UpstreamTarget> targets) {
    this(targets, upstream.slots(), upstream.hashOn(), upstream.hashFallback());
  }

  public ConsistentHashing(
      List<UpstreamTarget> targets, int slots, Upstream.HashSpec primary, Upstream.HashSpec fallback) {
    this.primary = primary;
    this.fallback = fallback;
    this.continuum = Math.max(1000, slots);
    long total = 0;
    int weighted = 0;
    for (UpstreamTarget t : targets) {
      total += t.weight();
      if (t.weight() > 0) {
        weighted++;
      }
    }
    int[] perTarget = new int[targets.size()];
    int count = 0;
    for (int i = 0; i < perTarget.length; i++) {
      int w = targets.get(i).weight();
      perTarget[i] = w == 0 ? 0 : (int) Math.max(1, Math.floor((double) w / total * weighted * POINTS_PER_TARGET));
      count += perTarget[i];
    }
    // Position in the high bits, target index in the low 16: sorting keeps each point with its owner.
    long[] raw = new long[count];
    int k = 0;
    for (int i = 0; i < perTarget.length; i++) {
      String name = targets.get(i).target();
      for (int j = 0; j < perTarget[i]; j++) {
        raw[k++] = (Long.remainderUnsigned(Hashing.hash64(name, j), continuum) << 16) | i;
      }
    }
    Arrays.sort(raw);
    positions = new long[count];
    owners = new UpstreamTarget[count];
    for (int p = 0; p < count; p++) {
      positions[p] = raw[p] >>> 16;
      owners[p] = targets.get((int) (raw[p] & 0xFFFFL));
    }
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    int n = positions.length;
    if (n == 0) {
      return null;
    }
    String key = context.hashValue(primary);
    if (key == null) {
      key = context.hashValue(fallback);
    }
    return walk(Long.remainderUnsigned(Hashing.hash64(key == null ? "" : key), continuum), avoid);
  }

  /** The first usable, not avoided owner at or after continuum position {@code h}. */
  UpstreamTarget walk(long h, Avoid avoid) {
    int n = positions.length;
    int idx = Arrays.binarySearch(positions, h);
    if (idx < 0) {
      idx = -idx - 1;
    } else {
      // Several points can share a position: start from the first of them.
      while (idx > 0 && positions[idx - 1] == h) {
        idx--;
      }
    }
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = owners[(idx + i) % n];
      if (t.usable() && !avoid.avoid(t)) {
        return t;
      }
    }
    return null;
  }

  int points() {
    return positions.length;
  }
}
