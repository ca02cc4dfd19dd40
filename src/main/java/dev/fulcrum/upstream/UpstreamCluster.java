package dev.fulcrum.upstream;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import dev.fulcrum.upstream.health.HealthRules;
import java.util.List;

/** An upstream as one snapshot runs it: its targets and the balancer over them. */
public final class UpstreamCluster {
  private final Upstream upstream;
  private final List<UpstreamTarget> targets;
  private final Balancer balancer;
  private final HealthRules health;
  private final boolean measuresLatency;

  public UpstreamCluster(Upstream upstream, List<UpstreamTarget> targets, Balancer balancer) {
    this.upstream = upstream;
    this.targets = List.copyOf(targets);
    this.balancer = balancer;
    this.health = HealthRules.of(upstream.healthchecks());
    this.measuresLatency = "latency".equals(upstream.algorithm());
  }

  /** Whether the balancer reads response latencies (only Kong's latency algorithm does). */
  public boolean measuresLatency() {
    return measuresLatency;
  }

  /** The upstream's health-check rules (passive reports go through here). */
  public HealthRules health() {
    return health;
  }

  public Upstream upstream() {
    return upstream;
  }

  public String name() {
    return upstream.name();
  }

  public List<UpstreamTarget> targets() {
    return targets;
  }

  public Balancer balancer() {
    return balancer;
  }

  /**
   * Kong's upstream health: usable weight as a share of total weight must exceed the threshold
   * (percent); no weight at all means unhealthy.
   */
  public boolean healthy() {
    long total = 0;
    long available = 0;
    for (UpstreamTarget t : targets) {
      total += t.weight();
      if (t.usable()) {
        available += t.weight();
      }
    }
    if (total == 0) {
      return false;
    }
    return available * 100.0 / total > upstream.healthchecks().threshold();
  }

  /** A target for a request, or null when the upstream has none to give (Kong answers 503). */
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    if (upstream.healthchecks().threshold() > 0 && !healthy()) {
      return null;
    }
    return balancer.pick(context, avoid);
  }
}
