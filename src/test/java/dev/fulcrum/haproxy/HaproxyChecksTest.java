package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.TcpServer;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Health checks the HAProxy way against real servers: L4 and L7 results in show stat. */
class HaproxyChecksTest {
  @TempDir Path dir;
  @RegisterExtension final Closer open = new Closer();

  private Backend backend(String name) {
    Backend b = Backend.start(name);
    open.add(b);
    return b;
  }

  private SocketAddress node(String... backendLines) {
    List<String> l = new ArrayList<>(List.of(
        "global", "  stats socket ipv4@127.0.0.1:0 level admin",
        "defaults", "  mode http", "  timeout connect 500ms", "  timeout client 5s", "  timeout server 5s"));
    l.addAll(List.of(backendLines));
    Node n = HaproxyNodes.start(dir, l.toArray(new String[0]));
    open.add(n);
    return HaproxyNodes.stats(n);
  }

  private static String[] server(SocketAddress stats, String name) {
    for (String line : Cli.send(stats, "show stat b 4 -1").split("\n")) {
      String[] c = line.split(",", -1);
      if (c.length > 1 && c[1].equals(name)) {
        return c;
      }
    }
    throw new AssertionError(name);
  }

  private static void awaitStatus(SocketAddress stats, String name, String status) {
    await().atMost(Duration.ofSeconds(10)).until(() -> server(stats, name)[17].equals(status));
  }

  @Test
  void defaultHttpCheckIsOptionsSlashHttp10WithoutHost() {
    Backend s = backend("s");
    SocketAddress stats = node("backend b", "  option httpchk", "  server s 127.0.0.1:" + s.port() + " check inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> s.hits() > 0);
    assertThat(s.lastRequestLine()).isEqualTo("OPTIONS / HTTP/1.0");
    assertThat(s.lastHeaders()).doesNotContainKey("host");
    awaitStatus(stats, "s", "UP");
    String[] row = server(stats, "s");
    assertThat(row[36]).isEqualTo("L7OK");
    assertThat(row[37]).isEqualTo("200");
    assertThat(row[65]).isEqualTo("Layer7 check passed");
  }

  @Test
  void httpCheckWithMethodUriVersionAndAHostHeader() {
    Backend s = backend("s");
    node("backend b", "  option httpchk GET /health HTTP/1.1", "  http-check send hdr Host checks.example",
        "  server s 127.0.0.1:" + s.port() + " check inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> s.hits() > 0);
    assertThat(s.lastRequestLine()).isEqualTo("GET /health HTTP/1.1");
    assertThat(s.lastHeaders().get("host")).containsExactly("checks.example");
    assertThat(s.lastHeaders().get("connection")).containsExactly("close");
  }

  @Test
  void aWrongStatusTakesTheServerDown() {
    Backend s = backend("s").failWith(500);
    SocketAddress stats = node("backend b", "  option httpchk", "  server s 127.0.0.1:" + s.port() + " check inter 100 fall 2");
    awaitStatus(stats, "s", "DOWN");
    String[] row = server(stats, "s");
    assertThat(row[36]).isEqualTo("L7STS");
    assertThat(row[37]).isEqualTo("500");
    assertThat(row[65]).isEqualTo("Layer7 wrong status");
    assertThat(row[22]).as("chkdown").isEqualTo("1");
  }

  @Test
  void expectStatusDecidesWhatPasses() {
    Backend s = backend("s").failWith(500);
    SocketAddress stats =
        node("backend b", "  option httpchk", "  http-check expect status 500-599",
            "  server s 127.0.0.1:" + s.port() + " check inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> server(stats, "s")[36].equals("L7OK"));
    assertThat(server(stats, "s")[17]).isEqualTo("UP");
  }

  @Test
  void disableOn404PutsTheServerInNolb() {
    Backend s = backend("s").failWith(404);
    SocketAddress stats =
        node("backend b", "  option httpchk", "  http-check disable-on-404", "  server s 127.0.0.1:" + s.port() + " check inter 100");
    awaitStatus(stats, "s", "NOLB");
    s.failWith(0);
    awaitStatus(stats, "s", "UP");
  }

  @Test
  void aRefusedConnectionIsLayer4() {
    int dead = open.add(DeadPort.open()).port();
    SocketAddress stats = node("backend b", "  server s 127.0.0.1:" + dead + " check inter 100 rise 2 fall 3");
    awaitStatus(stats, "s", "DOWN");
    String[] row = server(stats, "s");
    assertThat(row[36]).isEqualTo("L4CON");
    assertThat(row[65]).isEqualTo("Layer4 connection problem");
    assertThat(row[56]).isEqualTo("Connection refused");
    assertThat(row[37]).as("no code for L4 results").isEmpty();
  }

  @Test
  void checkAddrAndPortProbeAnotherAddress() {
    Backend health = backend("health");
    SocketAddress stats =
        node("backend b", "  server s 127.0.0.2:" + health.port() + " check addr 127.0.0.1 port " + health.port() + " inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> server(stats, "s")[36].equals("L4OK"));
  }

  @Test
  void checksOfASendProxyServerSpeakThePROXYProtocol() {
    TcpServer s = open.add(TcpServer.echo(null));
    SocketAddress stats = node("backend b", "  mode tcp", "  server s 127.0.0.1:" + s.port() + " send-proxy check inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> !s.firstBytes().isEmpty());
    assertThat(s.firstBytes().get(0)).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 ");
    await().atMost(Duration.ofSeconds(10)).until(() -> server(stats, "s")[36].equals("L4OK"));
  }

  @Test
  void checkPortProbesElsewhere() {
    Backend health = backend("health");
    int dead = open.add(DeadPort.open()).port();
    SocketAddress stats =
        node("backend b", "  server s 127.0.0.1:" + dead + " check port " + health.port() + " inter 100");
    await().atMost(Duration.ofSeconds(10)).until(() -> server(stats, "s")[36].equals("L4OK"));
    assertThat(server(stats, "s")[17]).isEqualTo("UP");
  }
}
