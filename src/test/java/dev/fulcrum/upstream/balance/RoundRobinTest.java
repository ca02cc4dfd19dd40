package dev.fulcrum.upstream.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
  static UpstreamTarget target(String name, int weight, int index) {
    return new UpstreamTarget(name + ":80", name, 80, weight, index, new TargetState("u|" + name), name, true,
        UpstreamTarget.ServerOptions.kong(name + ":80", index));
  }

  static List<String> picks(Balancer b, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = b.pick(PickContext.NONE, Avoid.NONE);
      out.add(t == null ? null : t.host());
    }
    return out;
  }

  @Test
  void equalWeightsAlternate() {
    RoundRobin rr = new RoundRobin(List.of(target("a", 100, 0), target("b", 100, 1)));
    assertThat(picks(rr, 6)).containsExactly("a", "b", "a", "b", "a", "b");
  }

  @Test
  void weightsAreSpreadSmoothly() {
    RoundRobin rr = new RoundRobin(List.of(target("a", 5, 0), target("b", 1, 1), target("c", 1, 2)));
    assertThat(picks(rr, 7)).containsExactly("a", "a", "b", "a", "c", "a", "a");
  }

  @Test
  void weightZeroTakesNoTraffic() {
    RoundRobin rr = new RoundRobin(List.of(target("a", 0, 0), target("b", 10, 1)));
    assertThat(picks(rr, 4)).containsOnly("b");
    assertThat(new RoundRobin(List.of(target("a", 0, 0))).pick(PickContext.NONE, Avoid.NONE)).isNull();
  }

  @Test
  void downTargetsAreSkippedKeepingTheOthersInTurn() {
    UpstreamTarget a = target("a", 1, 0);
    UpstreamTarget b = target("b", 1, 1);
    UpstreamTarget c = target("c", 1, 2);
    RoundRobin rr = new RoundRobin(List.of(a, b, c));
    b.state().setHealth(false, "test");
    assertThat(picks(rr, 6)).containsExactly("a", "c", "a", "c", "a", "c");
    a.state().setHealth(false, "test");
    c.state().setFlag(TargetState.MAINT, true);
    assertThat(rr.pick(PickContext.NONE, Avoid.NONE)).isNull();
  }

  @Test
  void avoidSkipsTriedTargets() {
    UpstreamTarget a = target("a", 1, 0);
    UpstreamTarget b = target("b", 1, 1);
    RoundRobin rr = new RoundRobin(List.of(a, b));
    for (int i = 0; i < 4; i++) {
      assertThat(rr.pick(PickContext.NONE, t -> t == a)).isSameAs(b);
    }
  }

  @Test
  void hugeWeightsAreScaledToABoundedWheel() {
    List<UpstreamTarget> ts = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ts.add(target("t" + i, 65535 - i, i));
    }
    RoundRobin rr = new RoundRobin(ts);
    assertThat(rr.wheelLength()).isLessThanOrEqualTo(RoundRobin.MAX_WHEEL + 100);
  }
}
