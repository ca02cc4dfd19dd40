package dev.fulcrum.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckSpecTest {
  private static CheckSpec spec(long inter, long fast, long down) {
    return new CheckSpec(inter, fast, down, 2, 3, null, null, null, false, false, 0, null);
  }

  /** HAProxy's srv_getinter: inter when fully up, downinter when fully down, fastinter between. */
  @Test
  void intervalFollowsTheHealth() {
    CheckSpec s = spec(2000, 200, 5000);
    assertThat(s.interval(4, true)).isEqualTo(2000);
    assertThat(s.interval(3, true)).as("going down").isEqualTo(200);
    assertThat(s.interval(2, true)).as("not yet checked").isEqualTo(200);
    assertThat(s.interval(0, false)).isEqualTo(5000);
    assertThat(s.interval(1, false)).as("coming back").isEqualTo(200);
    CheckSpec plain = spec(2000, 0, 0);
    assertThat(plain.interval(0, false)).isEqualTo(2000);
    assertThat(plain.interval(3, true)).isEqualTo(2000);
  }

  @Test
  void expectedStatuses() {
    CheckSpec def = spec(1, 0, 0);
    assertThat(def.statusPasses(200)).isTrue();
    assertThat(def.statusPasses(302)).isTrue();
    assertThat(def.statusPasses(404)).isFalse();
    CheckSpec ranges = new CheckSpec(1, 0, 0, 2, 3, null, null, List.of(new int[] {200, 200}, new int[] {500, 599}), false, false, 0, null);
    assertThat(ranges.statusPasses(200)).isTrue();
    assertThat(ranges.statusPasses(503)).isTrue();
    assertThat(ranges.statusPasses(204)).isFalse();
    CheckSpec negated = new CheckSpec(1, 0, 0, 2, 3, null, null, List.of(new int[] {500, 599}), true, false, 0, null);
    assertThat(negated.statusPasses(503)).isFalse();
    assertThat(negated.statusPasses(200)).isTrue();
  }
}
