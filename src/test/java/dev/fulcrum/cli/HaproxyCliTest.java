package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum start --haproxy-config}, {@code reload} and {@code stop} as an operator runs them. */
class HaproxyCliTest {
  @TempDir Path dir;

  private Process fulcrum(Path log, String... args) {
    return Processes.java(Main.class.getName(), Map.of(), log, args);
  }

  private static boolean accepting(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aSyntaxErrorStopsStartUpWithFileLineAndReasonAndNothingListens() throws Exception {
    int port = Processes.freePort();
    Path cfg = dir.resolve("bad.cfg");
    Files.writeString(cfg, "frontend fe\n  bind 127.0.0.1:" + port + "\n  default_backend b\nbackend b\n  balance fastest\n");
    Path log = dir.resolve("bad.log");
    Process p = fulcrum(log, "start", "-p", dir.resolve("prefix").toString(), "--haproxy-config", cfg.toString());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log)).contains("Error: " + cfg + ":5: unknown load balancing algorithm 'fastest'");
    assertThat(accepting(port)).isFalse();
  }

  @Test
  void startReloadStop() throws Exception {
    try (TcpServer one = TcpServer.echo("one"); TcpServer two = TcpServer.echo("two")) {
      int front = Processes.freePort();
      int stats = Processes.freePort();
      Path cfg = dir.resolve("haproxy.cfg");
      String head = "global\n  daemon\n  stats socket ipv4@127.0.0.1:" + stats + " level admin\n"
          + "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n"
          + "listen fe\n  bind 127.0.0.1:" + front + "\n";
      Files.writeString(cfg, head + "  server one 127.0.0.1:" + one.port() + "\n");
      Path prefix = dir.resolve("prefix");
      Path log = dir.resolve("node.log");
      Process node = fulcrum(log, "start", "-p", prefix.toString(), "--haproxy-config", cfg.toString());
      try {
        InetSocketAddress cli = new InetSocketAddress("127.0.0.1", stats);
        await().atMost(Duration.ofSeconds(30)).until(() -> accepting(stats));
        assertThat(Files.readString(log)).contains(cfg + ":2: 'daemon' has no meaning for Fulcrum");
        assertThat(Cli.statuses(Cli.send(cli, "show stat fe 4 -1"))).containsOnlyKeys("fe/one");

        Files.writeString(cfg, head + "  server one 127.0.0.1:" + one.port() + "\n  server two 127.0.0.1:" + two.port() + "\n");
        Path reloadLog = dir.resolve("reload.log");
        Process reload = fulcrum(reloadLog, "reload", "-p", prefix.toString());
        assertThat(reload.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(reloadLog)).contains("Fulcrum reloaded");
        assertThat(reload.exitValue()).isZero();
        assertThat(Cli.statuses(Cli.send(cli, "show stat fe 4 -1"))).containsOnlyKeys("fe/one", "fe/two");

        Files.writeString(cfg, head + "  server one 127.0.0.1\n");
        Process bad = fulcrum(reloadLog, "reload", "-p", prefix.toString());
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(1);
        assertThat(Files.readString(reloadLog)).contains("reload failed, the running configuration is unchanged")
            .contains(cfg + ":11: server 'one' needs an explicit port");
        assertThat(Cli.statuses(Cli.send(cli, "show stat fe 4 -1"))).containsOnlyKeys("fe/one", "fe/two");

        Process stop = fulcrum(dir.resolve("stop.log"), "stop", "-p", prefix.toString());
        assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stop.exitValue()).isZero();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        assertThat(accepting(front)).isFalse();
      } finally {
        node.destroyForcibly();
      }
    }
  }
}
