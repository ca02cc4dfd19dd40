package dev.fulcrum.upstream;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.RoundRobin;
import java.util.List;

/** The balancer an upstream's {@code algorithm} asks for. */
public final class Balancers {
  private Balancers() {}

  public static Balancer create(Upstream upstream, List<UpstreamTarget> targets) {
    return new RoundRobin(targets);
  }
}
