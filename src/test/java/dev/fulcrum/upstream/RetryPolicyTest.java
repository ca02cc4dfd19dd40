package dev.fulcrum.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HAProxy's stream_choose_redispatch, retry by retry. */
class RetryPolicyTest {
  private static RetryPolicy policy(int retries, int interval, boolean rrKind) {
    return new RetryPolicy(retries, interval, rrKind, true, false, false, false, new boolean[600], 1000, false);
  }

  @Test
  void defaultIntervalRedispatchesOnTheLastRetry() {
    RetryPolicy p = policy(3, -1, false);
    assertThat(p.redispatch(1, true, true)).isFalse();
    assertThat(p.redispatch(2, true, true)).isFalse();
    assertThat(p.redispatch(3, true, true)).isTrue();
  }

  @Test
  void positiveIntervalRedispatchesEveryNthRetry() {
    RetryPolicy p = policy(4, 2, false);
    assertThat(p.redispatch(1, true, true)).isFalse();
    assertThat(p.redispatch(2, true, true)).isTrue();
    assertThat(p.redispatch(3, true, true)).isFalse();
    assertThat(p.redispatch(4, true, true)).isTrue();
  }

  @Test
  void roundRobinKindsWithSeveralActiveServersRedispatchAtOnce() {
    RetryPolicy p = policy(3, -1, true);
    assertThat(p.redispatch(1, true, true)).isTrue();
    assertThat(p.redispatch(1, true, false)).as("a single active server: stay").isFalse();
  }

  @Test
  void aServerThatIsNotRunningIsLeftAtOnce() {
    assertThat(policy(3, -1, false).redispatch(1, false, false)).isTrue();
  }

  @Test
  void withoutOptionRedispatchNeverMoves() {
    RetryPolicy p = policy(3, 0, true);
    assertThat(p.redispatch(3, false, true)).isFalse();
  }

  @Test
  void slowstartRampsTheEffectiveWeight() {
    TargetState st = new TargetState("k");
    UpstreamTarget t = new UpstreamTarget("127.0.0.1:1", "127.0.0.1", 1, 10, 0, st, "x", true,
        new UpstreamTarget.ServerOptions("s", 1, false, false, 0, 0, 0, false, 10_000, 2, 3, null, null));
    assertThat(t.effectiveWeight()).as("no slowstart at start-up").isEqualTo(160);
    st.setHealth(false, "test");
    st.setHealth(true, "test");
    assertThat(t.effectiveWeight()).as("1/16 of the weight just after coming back").isEqualTo(10);
    assertThat(t.throttlePercent()).isEqualTo(6);
  }

  private static UpstreamTarget target(String name) {
    return new UpstreamTarget(name, "127.0.0.1", 1, 1, 0, new TargetState(name), "x", true,
        new UpstreamTarget.ServerOptions(name, 1, false, false, 0, 0, 0, false, 0, 2, 3, null, null));
  }

  /** Slots over a fixed list: the first not avoided; records what the retries asked. */
  private static final class FakeSlots implements Retries.Slots {
    final List<UpstreamTarget> servers;
    boolean pinnedCanTakeIt = true;
    final List<String> log = new ArrayList<>();

    FakeSlots(UpstreamTarget... servers) {
      this.servers = List.of(servers);
    }

    @Override
    public UpstreamTarget acquire(PickContext context, Avoid avoid) {
      for (UpstreamTarget t : servers) {
        if (!avoid.avoid(t)) {
          log.add("pick " + t.target());
          return t;
        }
      }
      log.add("none");
      return null;
    }

    @Override
    public boolean acquireAgain(UpstreamTarget target) {
      log.add("again " + target.target() + (pinnedCanTakeIt ? "" : " (full)"));
      return pinnedCanTakeIt;
    }

    @Override
    public void redispatched(UpstreamTarget left) {
      log.add("redispatched from " + left.target());
    }
  }

  @Test
  void retriesPinOrAvoidAndCount() {
    Retries r = new Retries(policy(2, -1, false));
    UpstreamTarget a = target("a");
    UpstreamTarget b = target("b");
    FakeSlots slots = new FakeSlots(a, b);
    assertThat(r.remaining()).isTrue();
    assertThat(r.next(a, true, true)).as("first retry stays").isFalse();
    assertThat(r.acquire(slots, PickContext.NONE)).isSameAs(a);
    assertThat(r.acquire(slots, PickContext.NONE)).as("pinned once only").isSameAs(a);
    assertThat(slots.log).containsExactly("again a", "pick a");
    assertThat(r.avoid(a)).isFalse();
    assertThat(r.delayMillis(false, true, true)).as("turn-around on the same server").isEqualTo(1000);
    assertThat(r.next(a, true, true)).as("the last retry redispatches").isTrue();
    assertThat(r.avoid(a)).isTrue();
    slots.log.clear();
    assertThat(r.acquire(slots, PickContext.NONE)).isSameAs(b);
    assertThat(r.acquire(slots, PickContext.NONE)).isSameAs(b);
    assertThat(slots.log).as("one redispatch, counted once").containsExactly("pick b", "redispatched from a", "pick b");
    assertThat(r.remaining()).isFalse();
    assertThat(r.delayMillis(false, true, false)).as("no delay after a timeout").isZero();
  }

  @Test
  void aPinnedServerThatCannotTakeTheRetryIsLeftAndEveryServerTriedIsTriedAgain() {
    Retries r = new Retries(policy(3, 0, false));
    UpstreamTarget a = target("a");
    FakeSlots slots = new FakeSlots(a);
    slots.pinnedCanTakeIt = false;
    r.next(a, true, false);
    assertThat(r.acquire(slots, PickContext.NONE)).as("a is avoided, then anyone again").isSameAs(a);
    assertThat(slots.log).containsExactly("again a (full)", "none", "pick a");
  }
}
