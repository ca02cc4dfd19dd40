package dev.fulcrum.bench;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.ConsistentHashing;
import dev.fulcrum.upstream.balance.Latency;
import dev.fulcrum.upstream.balance.LeastConnections;
import dev.fulcrum.upstream.balance.PickContext;
import dev.fulcrum.upstream.balance.RoundRobin;
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
 * Cost of one pick per balancer. Run with {@code -prof gc}: gc.alloc.rate.norm must read 0 B/op,
 * the balancer contract (a volatile read plus an atomic step, nothing allocated).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerPick {
  @Param({"round-robin", "least-connections", "consistent-hashing", "latency"})
  public String algorithm;

  @Param({"2", "20"})
  public int targets;

  private Balancer balancer;
  private final PickContext context = spec -> "user-42";

  @Setup
  public void setUp() {
    List<UpstreamTarget> ts = new ArrayList<>();
    long now = System.nanoTime();
    for (int i = 0; i < targets; i++) {
      String host = "10.0.0." + (i + 1);
      UpstreamTarget t =
          new UpstreamTarget("u", host + ":80", host, 80, 100 + i, i, new TargetState("u|" + host), host, true);
      t.state().recordLatency(1_000_000L + i * 1000L, now);
      ts.add(t);
    }
    Upstream.HashSpec header = new Upstream.HashSpec("header", "x-user");
    switch (algorithm) {
      case "least-connections":
        balancer = new LeastConnections(ts);
        break;
      case "consistent-hashing":
        balancer = new ConsistentHashing(ts, 10000, header, new Upstream.HashSpec("none", null));
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
