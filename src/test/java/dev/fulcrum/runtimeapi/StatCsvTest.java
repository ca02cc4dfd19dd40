package dev.fulcrum.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.upstream.CheckSpec;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import org.junit.jupiter.api.Test;

/** The server status vocabulary, step by step (rise 2, fall 3; observed on HAProxy 2.6.12). */
class StatCsvTest {
  private static UpstreamTarget server(TargetState st, boolean checked) {
    CheckSpec check = checked ? new CheckSpec(2000, 0, 0, 2, 3, null, null, null, false, false, 0, null) : null;
    return new UpstreamTarget("127.0.0.1:1", "127.0.0.1", 1, 1, 0, st, "127.0.0.1:1", true,
        new UpstreamTarget.ServerOptions("s", 1, false, false, 0, 0, 0, false, 0, 2, 3, check, null));
  }

  private static void fail(TargetState st) {
    int v = st.check().report(false, 2, 3, "L4CON", "Layer4 connection problem", null, 0, 0);
    if (v != 0) {
      st.setUp(v > 0, st.check().reason());
    }
  }

  private static void pass(TargetState st) {
    int v = st.check().report(true, 2, 3, "L4OK", "Layer4 check passed", null, 0, 0);
    if (v != 0) {
      st.setUp(v > 0, st.check().reason());
    }
  }

  @Test
  void checkedServerGoesThroughHaproxysStatuses() {
    TargetState st = new TargetState("k");
    UpstreamTarget s = server(st, true);
    st.check().start(2);
    assertThat(StatCsv.status(s)).as("before the first check").isEqualTo("UP 1/3");
    pass(st);
    assertThat(StatCsv.status(s)).isEqualTo("UP");
    fail(st);
    assertThat(StatCsv.status(s)).isEqualTo("UP 2/3");
    fail(st);
    assertThat(StatCsv.status(s)).isEqualTo("UP 1/3");
    fail(st);
    assertThat(StatCsv.status(s)).isEqualTo("DOWN");
    pass(st);
    assertThat(StatCsv.status(s)).isEqualTo("DOWN 1/2");
    pass(st);
    assertThat(StatCsv.status(s)).isEqualTo("UP");
    fail(st);
    st.setFlag(TargetState.DRAINING, true);
    assertThat(StatCsv.status(s)).isEqualTo("DRAIN 2/3");
    st.setFlag(TargetState.DRAINING, false);
    st.setFlag(TargetState.STOPPING, true);
    assertThat(StatCsv.status(s)).isEqualTo("NOLB 2/3");
    pass(st);
    assertThat(StatCsv.status(s)).isEqualTo("NOLB");
    st.setFlag(TargetState.MAINT, true);
    assertThat(StatCsv.status(s)).isEqualTo("MAINT");
  }

  @Test
  void uncheckedServer() {
    TargetState st = new TargetState("k");
    UpstreamTarget s = server(st, false);
    assertThat(StatCsv.status(s)).isEqualTo("no check");
    st.setFlag(TargetState.DRAINING, true);
    assertThat(StatCsv.status(s)).isEqualTo("DRAIN");
    st.setFlag(TargetState.DRAINING, false);
    st.forceCheckHealth(0, false, "test");
    assertThat(StatCsv.status(s)).isEqualTo("DOWN");
  }
}
