package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartCommandTest {
  @TempDir Path dir;

  private String run(Map<String, String> env, String... args) throws Exception {
    Path log = dir.resolve("out.log");
    Process p = Processes.java(Main.class.getName(), env, log, args);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    return Files.readString(log);
  }

  @Test
  void aBadSettingStopsStartUpNamingKeyAndValue() throws Exception {
    String out = run(Map.of("FULCRUM_ADMIN_LISTEN", "nowhere"), "start", "-p", dir.resolve("p").toString());
    assertThat(out).contains("Error: admin_listen: invalid value 'nowhere' (expected host:port)");
    assertThat(dir.resolve("p")).doesNotExist();
  }

  @Test
  void aMissingConfigurationFileIsAnError() throws Exception {
    String out = run(Map.of(), "start", "-c", dir.resolve("missing.conf").toString());
    assertThat(out).contains("Error: cannot read configuration file");
  }

  @Test
  void aPortInUseIsReportedAndNothingStaysUp() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String out =
          run(
              Map.of(
                  "FULCRUM_PROXY_LISTEN", "127.0.0.1:" + taken.getLocalPort(),
                  "FULCRUM_ADMIN_LISTEN", "127.0.0.1:0"),
              "start", "-p", dir.resolve("p2").toString());
      assertThat(out).contains("Error: proxy_listen: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }
}
