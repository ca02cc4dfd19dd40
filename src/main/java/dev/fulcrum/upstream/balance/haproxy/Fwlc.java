package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.List;

/**
 * HAProxy's {@code balance leastconn} (src/lb_fwlc.c): the smallest {@code (inflight + 1) * 4096 /
 * eweight} wins (0 when idle); among equal keys the server whose load changed longest ago goes
 * first, which is how requeueing in HAProxy's tree rotates equally loaded servers. Saturated
 * servers are skipped.
 */
public final class Fwlc implements Balancer {
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
    UpstreamTarget sole = servers.soleBackup();
    if (sole != null) {
      return sole;
    }
    Boolean backups = servers.group();
    if (backups == null) {
      return null;
    }
    UpstreamTarget best = null;
    UpstreamTarget avoided = null;
    long bestKey = 0;
    long bestStamp = 0;
    for (UpstreamTarget t : servers.all) {
      if (!Servers.inGroup(t, backups) || !Servers.usable(t) || !Servers.free(t)) {
        continue;
      }
      if (avoid.avoid(t)) {
        avoided = avoided == null ? t : avoided;
        continue;
      }
      long k = key(t);
      long stamp = t.state().loadStamp();
      if (best == null || k < bestKey || (k == bestKey && stamp < bestStamp)) {
        best = t;
        bestKey = k;
        bestStamp = stamp;
      }
    }
    return best != null ? best : avoided;
  }
}
