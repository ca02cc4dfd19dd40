package dev.fulcrum.upstream.balance;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
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
  private final UpstreamTarget[] targets;
  private final AtomicInteger start = new AtomicInteger();

  public Latency(List<UpstreamTarget> targets) {
    this.targets = targets.toArray(new UpstreamTarget[0]);
  }

  /**
   * One pass in turn from a rotating start: the lowest estimate per weight among measured
   * targets, against the heaviest unmeasured one scored at the mean of the measured (Kong's slow
   * start); the earlier in the turn wins a tie.
   */
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
    UpstreamTarget best = null;
    double bestScore = Double.MAX_VALUE;
    int bestAt = 0;
    UpstreamTarget firstFresh = null;
    int firstFreshAt = 0;
    UpstreamTarget heaviestFresh = null;
    int heaviestFreshAt = 0;
    int offset = Math.floorMod(start.getAndIncrement(), n);
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = ts[(offset + i) % n];
      if (!t.usable()) {
        continue;
      }
      double estimate = t.state().latency().score(now);
      if (estimate >= 0) {
        sum += estimate;
        measured++;
      }
      if (avoid.avoid(t)) {
        continue;
      }
      if (estimate < 0) {
        if (firstFresh == null) {
          firstFresh = t;
          firstFreshAt = i;
        }
        if (heaviestFresh == null || t.weight() > heaviestFresh.weight()) {
          heaviestFresh = t;
          heaviestFreshAt = i;
        }
      } else if (estimate / t.weight() < bestScore) {
        best = t;
        bestScore = estimate / t.weight();
        bestAt = i;
      }
    }
    if (firstFresh == null) {
      return best;
    }
    double slowStart = measured == 0 ? 0 : sum / measured;
    // At a mean of 0 every unmeasured target scores 0 whatever its weight: the first one wins.
    UpstreamTarget fresh = slowStart == 0 ? firstFresh : heaviestFresh;
    int freshAt = slowStart == 0 ? firstFreshAt : heaviestFreshAt;
    double freshScore = slowStart / fresh.weight();
    return best == null || freshScore < bestScore || (freshScore == bestScore && freshAt < bestAt) ? fresh : best;
  }
}
