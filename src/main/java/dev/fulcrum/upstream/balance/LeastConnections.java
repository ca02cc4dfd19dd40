package dev.fulcrum.upstream.balance;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The target with the fewest requests in flight relative to its weight ({@code (inflight + 1) /
 * weight}, Kong's least-connections key). Ties go round the targets in turn, so an idle upstream
 * still spreads sequential requests.
 */
public final class LeastConnections implements Balancer {
  private final UpstreamTarget[] targets;
  private final AtomicInteger start = new AtomicInteger();

  public LeastConnections(List<UpstreamTarget> targets) {
    this.targets = targets.toArray(new UpstreamTarget[0]);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    UpstreamTarget[] ts = targets;
    int n = ts.length;
    if (n == 0) {
      return null;
    }
    int offset = Math.floorMod(start.getAndIncrement(), n);
    UpstreamTarget best = null;
    long bestLoad = 0;
    long bestWeight = 1;
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = ts[(offset + i) % n];
      if (!t.usable() || avoid.avoid(t)) {
        continue;
      }
      long load = t.state().inFlight() + 1L;
      // load / weight < bestLoad / bestWeight, without division
      if (best == null || load * bestWeight < bestLoad * t.weight()) {
        best = t;
        bestLoad = load;
        bestWeight = t.weight();
      }
    }
    return best;
  }
}
