package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import java.util.Comparator;
import java.util.List;

/**
 * HAProxy's {@code balance leastconn} (src/lb_fwlc.c): the smallest {@code (inflight + 1) * 4096 /
 * eweight} wins (0 when idle); among equal keys the server whose load changed longest ago goes
 * first, which is how requeueing in HAProxy's tree rotates equally loaded servers. Saturated
 * servers are skipped.
 */
public final class Fwlc implements Balancer {
  /** Load, then the server whose load changed longest ago (HAProxy's tree order on ties). */
  private static final Comparator<UpstreamTarget> BY_LOAD =
      Comparator.comparingLong(Fwlc::key).thenComparingLong(t -> t.state().loadStamp());

  private final Servers servers;

  public Fwlc(List<UpstreamTarget> targets, boolean allBackups) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
  }

  static long key(UpstreamTarget t) {
    int inflight = t.state().inFlight();
    int eweight = Math.max(1, t.effectiveWeight());
    return inflight == 0 ? 0 : (inflight + 1L) * 4096 / eweight;
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    return servers.least(BY_LOAD, avoid);
  }
}
