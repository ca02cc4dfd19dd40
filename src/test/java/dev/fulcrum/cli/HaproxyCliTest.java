package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.TcpServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum start --haproxy-config}, {@code reload} and {@code stop} as an operator runs them. */
class HaproxyCliTest {
  @TempDir Path dir;

  private Process fulcrum(Path log, String... args) {
    return Processes.java(Main.class.getName(), Map.of(), log, args);
  }

  /** Whether something accepts connections on the UNIX socket {@code path}. */
  private static boolean accepting(Path path) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aSyntaxErrorStopsStartUpWithFileLineAndReasonAndNothingListens() throws Exception {
    Path cfg = dir.resolve("bad.cfg");
    Files.writeString(cfg, "frontend fe\n  bind 127.0.0.1:0\n  default_backend b\nbackend b\n  balance fastest\n");
    Path log = dir.resolve("bad.log");
    Process p = fulcrum(log, "start", "-p", dir.resolve("prefix").toString(), "--haproxy-config", cfg.toString());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    String out = Files.readString(log);
    assertThat(out).contains("Error: " + cfg + ":5: unknown load balancing algorithm 'fastest'");
    // The process is gone, so nothing of it listens now; its log shows it never got as far as
    // listening (a node says "started" once every listener is bound).
    assertThat(out).doesNotContain(" started");
  }

  @Test
  void startReloadStop() throws Exception {
    try (TcpServer one = TcpServer.echo("one"); TcpServer two = TcpServer.echo("two")) {
      // A UNIX stats socket: its address is known before start, unlike a TCP port the OS picks
      // (the node logs no haproxy.cfg addresses). TCP stats sockets are covered in-process.
      Path stats = dir.resolve("admin.sock");
      Path cfg = dir.resolve("haproxy.cfg");
      String head = "global\n  daemon\n  stats socket " + stats + " level admin\n"
          + "defaults\n  mode tcp\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n"
          + "listen fe\n  bind 127.0.0.1:0\n";
      Files.writeString(cfg, head + "  server one 127.0.0.1:" + one.port() + "\n");
      Path prefix = dir.resolve("prefix");
      Path log = dir.resolve("node.log");
      Process node = fulcrum(log, "start", "-p", prefix.toString(), "--haproxy-config", cfg.toString());
      try {
        Processes.awaitLog(node, log, Pattern.compile("fulcrum \\S+ started .*: " + Pattern.quote(cfg.toString())),
            Duration.ofSeconds(30));
        assertThat(accepting(stats)).isTrue();
        assertThat(Files.readString(log)).contains(cfg + ":2: 'daemon' has no meaning for Fulcrum");
        assertThat(Cli.statuses(Cli.sendUnix(stats, "show stat fe 4 -1"))).containsOnlyKeys("fe/one");

        Files.writeString(cfg, head + "  server one 127.0.0.1:" + one.port() + "\n  server two 127.0.0.1:" + two.port() + "\n");
        Path reloadLog = dir.resolve("reload.log");
        Process reload = fulcrum(reloadLog, "reload", "-p", prefix.toString());
        assertThat(reload.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(reloadLog)).contains("Fulcrum reloaded");
        assertThat(reload.exitValue()).isZero();
        assertThat(Cli.statuses(Cli.sendUnix(stats, "show stat fe 4 -1"))).containsOnlyKeys("fe/one", "fe/two");

        Files.writeString(cfg, head + "  server one 127.0.0.1\n");
        Process bad = fulcrum(reloadLog, "reload", "-p", prefix.toString());
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(1);
        assertThat(Files.readString(reloadLog)).contains("reload failed, the running configuration is unchanged")
            .contains(cfg + ":11: server 'one' needs an explicit port");
        assertThat(Cli.statuses(Cli.sendUnix(stats, "show stat fe 4 -1"))).containsOnlyKeys("fe/one", "fe/two");

        Process stop = fulcrum(dir.resolve("stop.log"), "stop", "-p", prefix.toString());
        assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stop.exitValue()).isZero();
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).isZero();
        assertThat(accepting(stats)).isFalse();
      } finally {
        node.destroyForcibly();
      }
    }
  }
}
