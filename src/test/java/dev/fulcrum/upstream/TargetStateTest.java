package dev.fulcrum.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.upstream.KongHealth.Health;
import dev.fulcrum.upstream.KongHealth.Outcome;
import org.junit.jupiter.api.Test;

/** Kong's health counters (lua-resty-healthcheck), step by step. */
class TargetStateTest {
  @Test
  void failuresUpToTheThresholdMarkDown() {
    TargetState s = new TargetState("t");
    assertThat(s.report(Outcome.TCP_FAILURE, 3, "test", 0)).isFalse();
    assertThat(s.kong().health()).isEqualTo(Health.MOSTLY_HEALTHY);
    assertThat(s.usable()).isTrue();
    s.report(Outcome.TCP_FAILURE, 3, "test", 0);
    assertThat(s.report(Outcome.TCP_FAILURE, 3, "test", 0)).isTrue();
    assertThat(s.kong().health()).isEqualTo(Health.UNHEALTHY);
    assertThat(s.usable()).isFalse();
    assertThat(s.lastReason()).isEqualTo("test: 3 TCP failures");
  }

  @Test
  void aSuccessClearsFailureCountersAndAFailureClearsSuccesses() {
    TargetState s = new TargetState("t");
    s.report(Outcome.HTTP_FAILURE, 2, "test", 0);
    s.report(Outcome.SUCCESS, 5, "test", 0);
    s.report(Outcome.HTTP_FAILURE, 2, "test", 0);
    assertThat(s.usable()).isTrue();
    s.report(Outcome.HTTP_FAILURE, 2, "test", 0);
    assertThat(s.kong().health()).isEqualTo(Health.UNHEALTHY);
    s.report(Outcome.SUCCESS, 2, "test", 0);
    assertThat(s.kong().health()).isEqualTo(Health.MOSTLY_UNHEALTHY);
    s.report(Outcome.TIMEOUT, 9, "test", 0);
    s.report(Outcome.SUCCESS, 2, "test", 0);
    assertThat(s.kong().health()).isEqualTo(Health.MOSTLY_UNHEALTHY);
    assertThat(s.report(Outcome.SUCCESS, 2, "test", 0)).isTrue();
    assertThat(s.kong().health()).isEqualTo(Health.HEALTHY);
  }

  @Test
  void countersOfDifferentKindsAreSeparate() {
    TargetState s = new TargetState("t");
    s.report(Outcome.HTTP_FAILURE, 2, "test", 0);
    s.report(Outcome.TIMEOUT, 2, "test", 0);
    s.report(Outcome.TCP_FAILURE, 2, "test", 0);
    assertThat(s.usable()).isTrue();
    s.report(Outcome.TIMEOUT, 2, "test", 0);
    assertThat(s.usable()).isFalse();
  }

  @Test
  void aZeroThresholdCountsNothing() {
    TargetState s = new TargetState("t");
    for (int i = 0; i < 10; i++) {
      assertThat(s.report(Outcome.TCP_FAILURE, 0, "test", 0)).isFalse();
    }
    assertThat(s.kong().health()).isEqualTo(Health.HEALTHY);
  }

  @Test
  void setHealthOverridesAndClearsCounters() {
    TargetState s = new TargetState("t");
    s.report(Outcome.TCP_FAILURE, 2, "test", 0);
    assertThat(s.setHealth(false, "manual")).isTrue();
    assertThat(s.usable()).isFalse();
    assertThat(s.setHealth(true, "manual")).isTrue();
    s.report(Outcome.TCP_FAILURE, 2, "test", 0);
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
    LatencyEstimate s = new TargetState("t").latency();
    long t0 = 1_000_000_000L;
    s.record(10_000_000, t0);
    assertThat(s.nanos()).isEqualTo(10_000_000);
    s.record(50_000_000, t0 + 1);
    assertThat(s.nanos()).isEqualTo(50_000_000);
    s.record(10_000_000, t0 + 10_000_000_000L);
    // 10 s later a fast sample weighs 1 - e^-1 = 63 %.
    assertThat(s.nanos()).isBetween(24_000_000L, 26_000_000L);
  }

  /** HAProxy's check counter with rise 2, fall 3 (reference §3, observed on 2.6.12). */
  @Test
  void haproxyChecksNeedFallFailuresToGoDownAndRiseSuccessesToComeBack() {
    TargetState s = new TargetState("t");
    s.check().start(2);
    assertThat(s.check().health()).as("start OK but check immediately").isEqualTo(2);
    assertThat(s.up()).isTrue();
    assertThat(check(s, true, "L4OK", "Layer4 check passed", 1)).isFalse();
    assertThat(s.check().health()).isEqualTo(4);
    assertThat(check(s, false, "L4CON", "Layer4 connection problem", 0)).isFalse();
    assertThat(s.check().health()).isEqualTo(3);
    assertThat(check(s, false, "L4CON", "Layer4 connection problem", 0)).isFalse();
    assertThat(s.check().health()).isEqualTo(2);
    assertThat(s.up()).isTrue();
    assertThat(check(s, false, "L4CON", "Layer4 connection problem", 0)).isTrue();
    assertThat(s.check().health()).as("below rise drops to 0").isZero();
    assertThat(s.up()).isFalse();
    assertThat(s.check().failures()).isEqualTo(3);
    assertThat(s.downTransitions()).isEqualTo(1);
    assertThat(check(s, false, "L4CON", "Layer4 connection problem", 0)).isFalse();
    assertThat(s.check().failures()).as("failures at health 0 are not counted").isEqualTo(3);
    assertThat(check(s, true, "L4OK", "Layer4 check passed", 0)).isFalse();
    assertThat(s.check().health()).isEqualTo(1);
    assertThat(check(s, true, "L4OK", "Layer4 check passed", 0)).isTrue();
    assertThat(s.check().health()).as("rise reached jumps to full").isEqualTo(4);
    assertThat(s.up()).isTrue();
    assertThat(s.check().status()).isEqualTo("L4OK");
  }

  @Test
  void aFailedFirstCheckTakesAServerDownAtOnce() {
    TargetState s = new TargetState("t");
    s.check().start(2);
    assertThat(check(s, false, "L4CON", "Layer4 connection problem", 0)).isTrue();
    assertThat(s.check().health()).isZero();
    assertThat(s.lastReason()).startsWith("Layer4 connection problem");
  }

  /** One HAProxy check result as a backend records it; true when the server went up or down. */
  static boolean check(TargetState s, boolean passed, String status, String desc, long millis) {
    int verdict = s.check().report(passed, 2, 3, status, desc, null, 0, millis);
    return verdict != 0 && s.setUp(verdict > 0, s.check().reason());
  }
}
