package dev.fulcrum.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.upstream.TargetState.Health;
import dev.fulcrum.upstream.TargetState.Outcome;
import org.junit.jupiter.api.Test;

/** Kong's health counters (lua-resty-healthcheck), step by step. */
class TargetStateTest {
  @Test
  void failuresUpToTheThresholdMarkDown() {
    TargetState s = new TargetState("t");
    assertThat(s.report(Outcome.TCP_FAILURE, 3, "test")).isFalse();
    assertThat(s.health()).isEqualTo(Health.MOSTLY_HEALTHY);
    assertThat(s.usable()).isTrue();
    s.report(Outcome.TCP_FAILURE, 3, "test");
    assertThat(s.report(Outcome.TCP_FAILURE, 3, "test")).isTrue();
    assertThat(s.health()).isEqualTo(Health.UNHEALTHY);
    assertThat(s.usable()).isFalse();
    assertThat(s.lastReason()).isEqualTo("test: 3 TCP failures");
  }

  @Test
  void aSuccessClearsFailureCountersAndAFailureClearsSuccesses() {
    TargetState s = new TargetState("t");
    s.report(Outcome.HTTP_FAILURE, 2, "test");
    s.report(Outcome.SUCCESS, 5, "test");
    s.report(Outcome.HTTP_FAILURE, 2, "test");
    assertThat(s.usable()).isTrue();
    s.report(Outcome.HTTP_FAILURE, 2, "test");
    assertThat(s.health()).isEqualTo(Health.UNHEALTHY);
    s.report(Outcome.SUCCESS, 2, "test");
    assertThat(s.health()).isEqualTo(Health.MOSTLY_UNHEALTHY);
    s.report(Outcome.TIMEOUT, 9, "test");
    s.report(Outcome.SUCCESS, 2, "test");
    assertThat(s.health()).isEqualTo(Health.MOSTLY_UNHEALTHY);
    assertThat(s.report(Outcome.SUCCESS, 2, "test")).isTrue();
    assertThat(s.health()).isEqualTo(Health.HEALTHY);
  }

  @Test
  void countersOfDifferentKindsAreSeparate() {
    TargetState s = new TargetState("t");
    s.report(Outcome.HTTP_FAILURE, 2, "test");
    s.report(Outcome.TIMEOUT, 2, "test");
    s.report(Outcome.TCP_FAILURE, 2, "test");
    assertThat(s.usable()).isTrue();
    s.report(Outcome.TIMEOUT, 2, "test");
    assertThat(s.usable()).isFalse();
  }

  @Test
  void aZeroThresholdCountsNothing() {
    TargetState s = new TargetState("t");
    for (int i = 0; i < 10; i++) {
      assertThat(s.report(Outcome.TCP_FAILURE, 0, "test")).isFalse();
    }
    assertThat(s.health()).isEqualTo(Health.HEALTHY);
  }

  @Test
  void setHealthOverridesAndClearsCounters() {
    TargetState s = new TargetState("t");
    s.report(Outcome.TCP_FAILURE, 2, "test");
    assertThat(s.setHealth(false, "manual")).isTrue();
    assertThat(s.usable()).isFalse();
    assertThat(s.setHealth(true, "manual")).isTrue();
    s.report(Outcome.TCP_FAILURE, 2, "test");
    assertThat(s.usable()).as("one failure after the reset").isTrue();
  }

  @Test
  void operatorFlagsTakeAHealthyTargetOut() {
    TargetState s = new TargetState("t");
    s.setFlag(TargetState.MAINT, true);
    assertThat(s.usable()).isFalse();
    assertThat(s.usableIgnoringHealth()).isFalse();
    s.setFlag(TargetState.MAINT, false);
    s.setHealth(false, "x");
    assertThat(s.usableIgnoringHealth()).isTrue();
  }

  @Test
  void peakEwmaTakesSlowSamplesAtOnceAndDecaysFastOnes() {
    TargetState s = new TargetState("t");
    long t0 = 1_000_000_000L;
    s.recordLatency(10_000_000, t0);
    assertThat(s.latencyNanos()).isEqualTo(10_000_000);
    s.recordLatency(50_000_000, t0 + 1);
    assertThat(s.latencyNanos()).isEqualTo(50_000_000);
    s.recordLatency(10_000_000, t0 + 10_000_000_000L);
    // 10 s later a fast sample weighs 1 - e^-1 = 63 %.
    assertThat(s.latencyNanos()).isBetween(24_000_000L, 26_000_000L);
  }

  /** HAProxy's check counter with rise 2, fall 3 (reference §3, observed on 2.6.12). */
  @Test
  void haproxyChecksNeedFallFailuresToGoDownAndRiseSuccessesToComeBack() {
    TargetState s = new TargetState("t", "be/srv", true);
    s.startChecks(2);
    assertThat(s.checkHealth()).as("start OK but check immediately").isEqualTo(2);
    assertThat(s.health().up()).isTrue();
    assertThat(s.reportCheck(true, 2, 3, "L4OK", "Layer4 check passed", null, 0, 1)).isFalse();
    assertThat(s.checkHealth()).isEqualTo(4);
    assertThat(s.reportCheck(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0)).isFalse();
    assertThat(s.checkHealth()).isEqualTo(3);
    assertThat(s.reportCheck(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0)).isFalse();
    assertThat(s.checkHealth()).isEqualTo(2);
    assertThat(s.health().up()).isTrue();
    assertThat(s.reportCheck(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0)).isTrue();
    assertThat(s.checkHealth()).as("below rise drops to 0").isZero();
    assertThat(s.health().up()).isFalse();
    assertThat(s.checkFailures()).isEqualTo(3);
    assertThat(s.downTransitions()).isEqualTo(1);
    assertThat(s.reportCheck(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0)).isFalse();
    assertThat(s.checkFailures()).as("failures at health 0 are not counted").isEqualTo(3);
    assertThat(s.reportCheck(true, 2, 3, "L4OK", "Layer4 check passed", null, 0, 0)).isFalse();
    assertThat(s.checkHealth()).isEqualTo(1);
    assertThat(s.reportCheck(true, 2, 3, "L4OK", "Layer4 check passed", null, 0, 0)).isTrue();
    assertThat(s.checkHealth()).as("rise reached jumps to full").isEqualTo(4);
    assertThat(s.health().up()).isTrue();
    assertThat(s.checkStatus()).isEqualTo("L4OK");
  }

  @Test
  void aFailedFirstCheckTakesAServerDownAtOnce() {
    TargetState s = new TargetState("t", "be/srv", true);
    s.startChecks(2);
    assertThat(s.reportCheck(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0)).isTrue();
    assertThat(s.checkHealth()).isZero();
    assertThat(s.lastReason()).startsWith("Layer4 connection problem");
  }
}
