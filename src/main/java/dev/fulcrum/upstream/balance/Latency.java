package dev.fulcrum.upstream.balance;

import dev.fulcrum.upstream.UpstreamTarget;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Kong's latency algorithm: each target's peak-EWMA response time, decayed toward zero while it
 * is not used (time constant 10 s, so a slow target is tried again once its estimate fades),
 * divided by its weight; the lowest score wins. A target without a measurement yet starts at the
 * mean of the others (Kong's slow start), so a new target is not flooded.
 */
public final class Latency implements Balancer {
  private static final double DECAY_NANOS = 10e9;

  private final UpstreamTarget[] targets;
  private final AtomicInteger start = new AtomicInteger();

  public Latency(List<UpstreamTarget> targets) {
    this.targets = targets.toArray(new UpstreamTarget[0]);
  }

  static double decayed(UpstreamTarget t, long now) {
    long ewma = t.state().latencyNanos();
    if (ewma == 0) {
      return -1;
    }
    double age = Math.max(0, now - t.state().latencyStampNanos());
    return ewma * Math.exp(-age / DECAY_NANOS);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    UpstreamTarget[] ts = targets;
    int n = ts.length;
    if (n == 0) {
      return null;
    }
    long now = System.nanoTime();
    double sum = 0;
    int measured = 0;
    for (UpstreamTarget t : ts) {
      double d = decayed(t, now);
      if (d >= 0 && t.usable()) {
        sum += d;
        measured++;
      }
    }
    double slowStart = measured == 0 ? 0 : sum / measured;
    int offset = Math.floorMod(start.getAndIncrement(), n);
    UpstreamTarget best = null;
    double bestScore = Double.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = ts[(offset + i) % n];
      if (!t.usable() || avoid.avoid(t)) {
        continue;
      }
      double d = decayed(t, now);
      double score = (d < 0 ? slowStart : d) / t.weight();
      if (score < bestScore) {
        best = t;
        bestScore = score;
      }
    }
    return best;
  }
}
