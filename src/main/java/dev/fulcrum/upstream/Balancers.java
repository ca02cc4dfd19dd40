package dev.fulcrum.upstream;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.ConsistentHashing;
import dev.fulcrum.upstream.balance.Latency;
import dev.fulcrum.upstream.balance.LeastConnections;
import dev.fulcrum.upstream.balance.RoundRobin;
import java.util.List;

/** The balancer an upstream's {@code algorithm} asks for. */
public final class Balancers {
  private Balancers() {}

  public static Balancer create(Upstream upstream, List<UpstreamTarget> targets) {
    switch (upstream.algorithm()) {
      case "least-connections":
        return new LeastConnections(targets);
      case "consistent-hashing":
        return new ConsistentHashing(upstream, targets);
      case "latency":
        return new Latency(targets);
      default:
        return new RoundRobin(targets);
    }
  }
}
