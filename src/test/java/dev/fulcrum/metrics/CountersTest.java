package dev.fulcrum.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CountersTest {
  @Test
  void rateReportsTheLastCompleteSecondAndTheHighestSecond() {
    Counters.Rate r = new Counters.Rate();
    for (int i = 0; i < 5; i++) {
      r.tick(10_000 + i);
    }
    assertThat(r.current(10_500)).isEqualTo(5);
    r.tick(11_000);
    r.tick(11_100);
    // The second that just ended (5) counts until the running one (2) passes it.
    assertThat(r.current(11_200)).isEqualTo(5);
    assertThat(r.current(12_000)).as("the last complete second had 2").isEqualTo(2);
    assertThat(r.current(14_000)).as("nothing for two seconds").isZero();
    assertThat(r.max()).isEqualTo(5);
  }

  @Test
  void averageIsTheMeanUntil512SamplesThenHaproxysSlidingSum() {
    Counters.Average a = new Counters.Average();
    assertThat(a.average()).isZero();
    a.add(10);
    a.add(30);
    assertThat(a.average()).isEqualTo(20);
    for (int i = 2; i < 512; i++) {
      a.add(20);
    }
    assertThat(a.average()).isEqualTo(20);
    // sum = 10240 - 10240 / 512 + 532 = 10752, average 21 (swrate_add).
    a.add(532);
    assertThat(a.average()).isEqualTo(21);
    assertThat(a.max()).isEqualTo(532);
  }

  @Test
  void sessionsTrackCurrentMaximumAndTotal() {
    Counters c = new Counters();
    c.opened();
    c.opened();
    c.closed();
    c.opened();
    assertThat(c.current.get()).isEqualTo(2);
    assertThat(c.max.get()).isEqualTo(2);
    assertThat(c.total.sum()).isEqualTo(3);
    assertThat(c.sessionRate.max()).isBetween(1L, 3L);
  }
}
