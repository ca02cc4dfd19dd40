package dev.fulcrum.upstream;

import static org.assertj.core.api.Assertions.assertThat;

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
    TargetState st = new TargetState("k", "be/s", true);
    UpstreamTarget t = new UpstreamTarget("haproxy/be", "127.0.0.1:1", "127.0.0.1", 1, 10, 0, st, "x", true,
        new UpstreamTarget.ServerOptions("s", 1, false, 0, 0, 0, false, 10_000));
    assertThat(t.effectiveWeight()).as("no slowstart at start-up").isEqualTo(160);
    st.setHealth(false, "test");
    st.setHealth(true, "test");
    assertThat(t.effectiveWeight()).as("1/16 of the weight just after coming back").isEqualTo(10);
    assertThat(t.throttlePercent()).isEqualTo(6);
  }

  private static UpstreamTarget target(String name) {
    return new UpstreamTarget("haproxy/be", name, "127.0.0.1", 1, 1, 0, new TargetState(name), "x", true,
        new UpstreamTarget.ServerOptions(name, 1, false, 0, 0, 0, false, 0));
  }

  @Test
  void retriesPinOrAvoidAndCount() {
    Retries r = new Retries(policy(2, -1, false));
    UpstreamTarget a = target("a");
    UpstreamTarget b = target("b");
    assertThat(r.remaining()).isTrue();
    assertThat(r.next(a, true, true)).as("first retry stays").isFalse();
    assertThat(r.takePinned()).isSameAs(a);
    assertThat(r.takePinned()).isNull();
    assertThat(r.avoid(a)).isFalse();
    assertThat(r.delayMillis(false, true, true)).as("turn-around on the same server").isEqualTo(1000);
    assertThat(r.next(a, true, true)).as("the last retry redispatches").isTrue();
    assertThat(r.avoid(a)).isTrue();
    assertThat(r.leftFor(b)).isSameAs(a);
    assertThat(r.leftFor(b)).isNull();
    assertThat(r.remaining()).isFalse();
    assertThat(r.delayMillis(false, true, false)).as("no delay after a timeout").isZero();
  }
}
