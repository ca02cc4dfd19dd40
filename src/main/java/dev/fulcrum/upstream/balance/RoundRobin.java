package dev.fulcrum.upstream.balance;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round-robin over a precomputed wheel. The wheel is laid out by smooth weighted
 * round-robin (nginx's algorithm), so weights 5:1:1 give a a b a c a a rather than runs of one
 * target; each pick advances one shared counter. Down targets are skipped in place, which keeps
 * the others' proportions.
 */
public final class RoundRobin implements Balancer {
  /** Longest wheel; larger weight sums are scaled down, keeping proportions. */
  static final int MAX_WHEEL = 1 << 16;

  private final UpstreamTarget[] wheel;
  private final AtomicLong next = new AtomicLong();

  public RoundRobin(List<UpstreamTarget> targets) {
    this.wheel = buildWheel(targets);
  }

  static UpstreamTarget[] buildWheel(List<UpstreamTarget> targets) {
    List<UpstreamTarget> weighted = new ArrayList<>();
    for (UpstreamTarget t : targets) {
      if (t.weight() > 0) {
        weighted.add(t);
      }
    }
    int n = weighted.size();
    if (n == 0) {
      return new UpstreamTarget[0];
    }
    long[] weights = new long[n];
    long gcd = 0;
    long total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = weighted.get(i).weight();
      gcd = gcd(gcd, weights[i]);
    }
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      total += weights[i];
    }
    if (total > MAX_WHEEL) {
      double scale = (double) MAX_WHEEL / total;
      total = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, Math.round(weights[i] * scale));
        total += weights[i];
      }
    }
    UpstreamTarget[] wheel = new UpstreamTarget[(int) total];
    long[] current = new long[n];
    for (int slot = 0; slot < wheel.length; slot++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      wheel[slot] = weighted.get(best);
    }
    return wheel;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    UpstreamTarget[] w = wheel;
    int len = w.length;
    if (len == 0) {
      return null;
    }
    long start = next.getAndIncrement();
    for (int i = 0; i < len; i++) {
      UpstreamTarget t = w[(int) ((start + i) % len)];
      if (t.usable() && !avoid.avoid(t)) {
        if (i > 0) {
          // Skipped slots count as used, so the next pick continues after the one just given.
          next.getAndAdd(i);
        }
        return t;
      }
    }
    return null;
  }

  int wheelLength() {
    return wheel.length;
  }
}
