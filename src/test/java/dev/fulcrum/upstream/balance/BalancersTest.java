package dev.fulcrum.upstream.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.model.HashSource;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BalancersTest {
  static UpstreamTarget target(String name, int weight) {
    return new UpstreamTarget(name + ":80", name, 80, weight, 0, new TargetState("u|" + name), name, true,
        UpstreamTarget.ServerOptions.kong(name + ":80", 0));
  }

  static final Upstream.HashSpec HEADER = new Upstream.HashSpec(HashSource.HEADER, "x-user", null);
  static final Upstream.HashSpec NONE = Upstream.HashSpec.NONE;

  /** A request with one header value (null = absent). */
  static PickContext key(String value) {
    return spec -> spec.source() == HashSource.HEADER ? value : null;
  }

  // ------------------------------------------------------- least connections

  @Test
  void leastConnectionsTakesTheLeastBusy() {
    UpstreamTarget a = target("a", 1);
    UpstreamTarget b = target("b", 1);
    LeastConnections lc = new LeastConnections(List.of(a, b));
    a.state().acquired();
    a.state().acquired();
    b.state().acquired();
    assertThat(lc.pick(PickContext.NONE, Avoid.NONE)).isSameAs(b);
    b.state().acquired();
    b.state().acquired();
    assertThat(lc.pick(PickContext.NONE, Avoid.NONE)).isSameAs(a);
  }

  @Test
  void leastConnectionsWeighsInFlightByWeight() {
    UpstreamTarget heavy = target("heavy", 3);
    UpstreamTarget light = target("light", 1);
    LeastConnections lc = new LeastConnections(List.of(heavy, light));
    Map<String, Integer> held = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      UpstreamTarget t = lc.pick(PickContext.NONE, Avoid.NONE);
      t.state().acquired();
      held.merge(t.host(), 1, Integer::sum);
    }
    // (inflight + 1) / weight levels out at 6 : 2.
    assertThat(held).containsEntry("heavy", 6).containsEntry("light", 2);
  }

  @Test
  void leastConnectionsTiesTakeTurns() {
    LeastConnections lc = new LeastConnections(List.of(target("a", 1), target("b", 1), target("c", 1)));
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      seq.add(lc.pick(PickContext.NONE, Avoid.NONE).host());
    }
    assertThat(seq).containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void leastConnectionsSkipsDownAndAvoided() {
    UpstreamTarget a = target("a", 1);
    UpstreamTarget b = target("b", 1);
    LeastConnections lc = new LeastConnections(List.of(a, b));
    a.state().setHealth(false, "test");
    assertThat(lc.pick(PickContext.NONE, Avoid.NONE)).isSameAs(b);
    assertThat(lc.pick(PickContext.NONE, t -> t == b)).isNull();
  }

  // ------------------------------------------------------ consistent hashing

  private static ConsistentHashing ring(List<UpstreamTarget> ts) {
    return new ConsistentHashing(ts, 10000, HEADER, NONE);
  }

  @Test
  void theSameKeyAlwaysGoesToTheSameTarget() {
    ConsistentHashing ch = ring(List.of(target("a", 100), target("b", 100), target("c", 100)));
    for (int k = 0; k < 100; k++) {
      UpstreamTarget first = ch.pick(key("user-" + k), Avoid.NONE);
      for (int i = 0; i < 5; i++) {
        assertThat(ch.pick(key("user-" + k), Avoid.NONE)).isSameAs(first);
      }
    }
  }

  @Test
  void keysSpreadByWeight() {
    ConsistentHashing ch = ring(List.of(target("a", 100), target("b", 100), target("c", 200)));
    Map<String, Integer> count = new HashMap<>();
    for (int k = 0; k < 20000; k++) {
      count.merge(ch.pick(key("k" + k), Avoid.NONE).host(), 1, Integer::sum);
    }
    assertThat(count.get("c")).isBetween(8500, 11500);
    assertThat(count.get("a")).isBetween(4000, 6000);
  }

  @Test
  void addingATargetMovesAboutItsShareOfKeys() {
    List<UpstreamTarget> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(target("t" + i, 100));
    }
    ConsistentHashing before = ring(five);
    List<UpstreamTarget> six = new ArrayList<>(five);
    six.add(target("t5", 100));
    ConsistentHashing after = ring(six);
    int moved = 0;
    int movedElsewhere = 0;
    for (int k = 0; k < 20000; k++) {
      String b = before.pick(key("k" + k), Avoid.NONE).host();
      String a = after.pick(key("k" + k), Avoid.NONE).host();
      if (!a.equals(b)) {
        moved++;
        if (!a.equals("t5")) {
          movedElsewhere++;
        }
      }
    }
    // Ideal is 1/6 (3333), all of them to the new target: the others keep their points.
    assertThat(moved).isBetween(2300, 4400);
    assertThat(movedElsewhere).isZero();
  }

  @Test
  void aDownTargetsKeysGoToTheNextTargetOthersStay() {
    UpstreamTarget a = target("a", 100);
    UpstreamTarget b = target("b", 100);
    UpstreamTarget c = target("c", 100);
    ConsistentHashing ch = ring(List.of(a, b, c));
    Map<Integer, UpstreamTarget> before = new HashMap<>();
    for (int k = 0; k < 3000; k++) {
      before.put(k, ch.pick(key("k" + k), Avoid.NONE));
    }
    b.state().setHealth(false, "test");
    for (int k = 0; k < 3000; k++) {
      UpstreamTarget now = ch.pick(key("k" + k), Avoid.NONE);
      assertThat(now).isNotSameAs(b);
      if (before.get(k) != b) {
        assertThat(now).isSameAs(before.get(k));
      }
    }
  }

  @Test
  void fallbackAndNoKeyAtAll() {
    UpstreamTarget a = target("a", 100);
    UpstreamTarget b = target("b", 100);
    ConsistentHashing ch = new ConsistentHashing(List.of(a, b), 1000, HEADER, new Upstream.HashSpec(HashSource.IP, null, null));
    PickContext ipOnly = spec -> spec.source() == HashSource.IP ? "10.0.0.7" : null;
    UpstreamTarget byIp = ch.pick(ipOnly, Avoid.NONE);
    for (int i = 0; i < 5; i++) {
      assertThat(ch.pick(ipOnly, Avoid.NONE)).isSameAs(byIp);
    }
    UpstreamTarget nothing = ch.pick(PickContext.NONE, Avoid.NONE);
    for (int i = 0; i < 5; i++) {
      assertThat(ch.pick(PickContext.NONE, Avoid.NONE)).isSameAs(nothing);
    }
  }

  @Test
  void retriesWalkOnToAnotherTarget() {
    UpstreamTarget a = target("a", 100);
    UpstreamTarget b = target("b", 100);
    ConsistentHashing ch = ring(List.of(a, b));
    UpstreamTarget first = ch.pick(key("x"), Avoid.NONE);
    UpstreamTarget retry = ch.pick(key("x"), t -> t == first);
    assertThat(retry).isNotNull().isNotSameAs(first);
  }

  // ------------------------------------------------------------------ latency

  @Test
  void latencyPrefersTheFasterTarget() {
    UpstreamTarget fast = target("fast", 100);
    UpstreamTarget slow = target("slow", 100);
    long now = System.nanoTime();
    fast.state().latency().record(5_000_000, now);
    slow.state().latency().record(50_000_000, now);
    Latency l = new Latency(List.of(fast, slow));
    for (int i = 0; i < 10; i++) {
      assertThat(l.pick(PickContext.NONE, Avoid.NONE)).isSameAs(fast);
    }
    assertThat(l.pick(PickContext.NONE, t -> t == fast)).isSameAs(slow);
  }

  @Test
  void latencyStartsNewTargetsAtTheMean() {
    UpstreamTarget a = target("a", 100);
    UpstreamTarget b = target("b", 100);
    UpstreamTarget fresh = target("fresh", 100);
    long now = System.nanoTime();
    a.state().latency().record(10_000_000, now);
    b.state().latency().record(30_000_000, now);
    Latency l = new Latency(List.of(a, b, fresh));
    // fresh scores the mean (20 ms): better than b, worse than a.
    assertThat(l.pick(PickContext.NONE, Avoid.NONE)).isSameAs(a);
    assertThat(l.pick(PickContext.NONE, t -> t == a)).isSameAs(fresh);
  }

  // -------------------------------------------------------------- allocation

  @Test
  void picksAllocateNothing() {
    List<UpstreamTarget> ts = List.of(target("a", 100), target("b", 50), target("c", 10));
    long now = System.nanoTime();
    for (UpstreamTarget t : ts) {
      t.state().latency().record(1_000_000, now);
    }
    PickContext ctx = key("some-user");
    Balancer[] balancers = {new RoundRobin(ts), new LeastConnections(ts), ring(ts), new Latency(ts)};
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    for (Balancer b : balancers) {
      for (int i = 0; i < 20_000; i++) {
        b.pick(ctx, Avoid.NONE);
      }
      long before = mx.getThreadAllocatedBytes(tid);
      for (int i = 0; i < 100_000; i++) {
        b.pick(ctx, Avoid.NONE);
      }
      long allocated = mx.getThreadAllocatedBytes(tid) - before;
      assertThat(allocated).as(b.getClass().getSimpleName() + " bytes per 100k picks").isLessThan(4096);
    }
  }
}
