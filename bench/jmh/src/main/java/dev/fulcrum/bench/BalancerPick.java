package dev.fulcrum.bench;

import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.HashSource;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancers;
import dev.fulcrum.upstream.balance.ConsistentHashing;
import dev.fulcrum.upstream.balance.Latency;
import dev.fulcrum.upstream.balance.LeastConnections;
import dev.fulcrum.upstream.balance.RoundRobin;
import dev.fulcrum.upstream.balance.haproxy.HashKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one pick per balancer, Kong's and HAProxy's. Run with {@code -prof gc}:
 * gc.alloc.rate.norm must read 0 B/op, the balancer contract (a volatile read plus an atomic step,
 * nothing allocated).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerPick {
  @Param({"round-robin", "least-connections", "consistent-hashing", "latency", "roundrobin", "static-rr",
      "leastconn", "uri-consistent"})
  public String algorithm;

  @Param({"2", "20"})
  public int targets;

  private Balancer balancer;
  private final PickContext context = new PickContext() {
    @Override
    public String hashValue(Upstream.HashSpec spec) {
      return "user-42";
    }

    @Override
    public String uri() {
      return "/users/42";
    }
  };

  @Setup
  public void setUp() {
    List<UpstreamTarget> ts = new ArrayList<>();
    long now = System.nanoTime();
    for (int i = 0; i < targets; i++) {
      String host = "10.0.0." + (i + 1);
      UpstreamTarget t = new UpstreamTarget(host + ":80", host, 80, 100 + i, i, new TargetState("u|" + host), host,
          true, new UpstreamTarget.ServerOptions(host, i + 1, false, false, 0, 0, 0, false, 0, 2, 3, null));
      t.state().latency().record(1_000_000L + i * 1000L, now);
      ts.add(t);
    }
    Upstream.HashSpec header = new Upstream.HashSpec(HashSource.HEADER, "x-user", null);
    HashKey uri = new HashKey(HashKey.Source.URI, null, false, 0, 0, false, HashKey.Function.SDBM, true);
    switch (algorithm) {
      case "least-connections":
        balancer = new LeastConnections(ts);
        break;
      case "consistent-hashing":
        balancer = new ConsistentHashing(ts, 10000, header, Upstream.HashSpec.NONE);
        break;
      case "roundrobin":
        balancer = Balancers.haproxy(Algorithm.ROUNDROBIN, ts, false, null, false, 2);
        break;
      case "static-rr":
        balancer = Balancers.haproxy(Algorithm.STATIC_RR, ts, false, null, false, 2);
        break;
      case "leastconn":
        balancer = Balancers.haproxy(Algorithm.LEASTCONN, ts, false, null, false, 2);
        break;
      case "uri-consistent":
        balancer = Balancers.haproxy(Algorithm.URI, ts, false, uri, true, 2);
        break;
      case "latency":
        balancer = new Latency(ts);
        break;
      default:
        balancer = new RoundRobin(ts);
    }
  }

  @Benchmark
  public UpstreamTarget pick() {
    return balancer.pick(context, Avoid.NONE);
  }
}
