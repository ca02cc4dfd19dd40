package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * HAProxy's {@code balance first} (src/lb_fas.c): the usable server with the lowest id that is
 * below its maxconn. Without maxconn that is always the first server; weights are ignored.
 */
public final class First implements Balancer {
  private final Servers servers;
  private final UpstreamTarget[] byId;

  public First(List<UpstreamTarget> targets, boolean allBackups) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.byId = targets.toArray(new UpstreamTarget[0]);
    Arrays.sort(byId, Comparator.comparingInt(t -> t.options().id()));
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
    UpstreamTarget avoided = null;
    for (UpstreamTarget t : byId) {
      if (!Servers.inGroup(t, backups) || !Servers.usable(t) || !Servers.free(t)) {
        continue;
      }
      if (!avoid.avoid(t)) {
        return t;
      }
      if (avoided == null) {
        avoided = t;
      }
    }
    return avoided;
  }
}
