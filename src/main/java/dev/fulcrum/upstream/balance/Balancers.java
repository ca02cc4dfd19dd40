package dev.fulcrum.upstream.balance;

import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.haproxy.Chash;
import dev.fulcrum.upstream.balance.haproxy.First;
import dev.fulcrum.upstream.balance.haproxy.Fwlc;
import dev.fulcrum.upstream.balance.haproxy.Fwrr;
import dev.fulcrum.upstream.balance.haproxy.HashKey;
import dev.fulcrum.upstream.balance.haproxy.LbMap;
import java.util.List;

/** The balancer an algorithm asks for, for either dialect. */
public final class Balancers {
  private Balancers() {}

  /** A Kong upstream's balancer over its targets. */
  public static Balancer kong(Upstream upstream, List<UpstreamTarget> targets) {
    switch (upstream.algorithm()) {
      case LEAST_CONNECTIONS:
        return new LeastConnections(targets);
      case CONSISTENT_HASHING:
        return new ConsistentHashing(upstream, targets);
      case LATENCY:
        return new Latency(targets);
      default:
        return new RoundRobin(targets);
    }
  }

  /** One target and nothing to choose: it, when usable and not avoided. */
  public static Balancer single(UpstreamTarget target) {
    return new Balancer() {
      @Override
      public UpstreamTarget pick(PickContext context, Avoid avoid) {
        return target.usable() && !avoid.avoid(target) ? target : null;
      }
    };
  }

  /**
   * A haproxy.cfg backend's balancer.
   *
   * @param allBackups {@code option allbackups}
   * @param key what hashing algorithms hash (null for the others)
   * @param consistent {@code hash-type consistent} (else map-based)
   * @param draws {@code random(draws)}
   */
  public static Balancer haproxy(
      Algorithm algorithm, List<UpstreamTarget> targets, boolean allBackups, HashKey key, boolean consistent,
      int draws) {
    switch (algorithm) {
      case ROUNDROBIN:
        return new Fwrr(targets, allBackups);
      case STATIC_RR:
        return new LbMap(targets, allBackups, null);
      case LEASTCONN:
        return new Fwlc(targets, allBackups);
      case FIRST:
        return new First(targets, allBackups);
      case RANDOM:
        return new Chash(targets, allBackups, null, draws);
      case SOURCE:
      case URI:
      case URL_PARAM:
      case HDR:
        return consistent ? new Chash(targets, allBackups, key, 0) : new LbMap(targets, allBackups, key);
      default:
        throw new IllegalArgumentException("not a haproxy.cfg algorithm: " + algorithm);
    }
  }
}
