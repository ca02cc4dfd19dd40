package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import java.util.Comparator;
import java.util.List;

/**
 * HAProxy's {@code balance first} (src/lb_fas.c): the usable server with the lowest id that is
 * below its maxconn. Without maxconn that is always the first server; weights are ignored.
 */
public final class First implements Balancer {
  private static final Comparator<UpstreamTarget> BY_ID = Comparator.comparingInt(t -> t.options().id());

  private final Servers servers;

  public First(List<UpstreamTarget> targets, boolean allBackups) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    return servers.least(BY_ID, avoid);
  }
}
