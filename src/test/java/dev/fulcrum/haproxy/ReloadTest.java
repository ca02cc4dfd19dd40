package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.TcpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Reloading a haproxy.cfg: new rules apply, sessions and kept listeners carry on, bad files change nothing. */
class ReloadTest {
  @TempDir Path dir;
  @RegisterExtension final Closer open = new Closer();

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }

  private String greet(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      return line(s.getInputStream());
    }
  }

  @Test
  void aReloadAppliesTheNewFileWithoutDroppingConnections() throws Exception {
    TcpServer one = TcpServer.echo("one");
    TcpServer two = TcpServer.echo("two");
    open.add(one);
    open.add(two);
    String head = "global\n  stats socket ipv4@127.0.0.1:0 level admin\ndefaults\n  mode tcp\n"
        + "  timeout connect 1s\n  timeout client 10s\n  timeout server 10s\n";
    // Port 0 binds: a reload keeps the listener of a bind that stays where it was (same frontend,
    // same place in the file), as it keeps one whose address stays.
    Node node = HaproxyNodes.start(dir, head + "frontend fe\n  bind 127.0.0.1:0\n  default_backend b\n"
        + "frontend gone\n  bind 127.0.0.1:0\n  default_backend b\n"
        + "backend b\n  server one 127.0.0.1:" + one.port());
    open.add(node);
    int fixed = HaproxyNodes.frontend(node, "fe").getPort();
    int removed = HaproxyNodes.frontend(node, "gone").getPort();
    assertThat(greet(fixed)).isEqualTo("one");

    try (Socket session = new Socket("127.0.0.1", fixed)) {
      session.setSoTimeout(5000);
      assertThat(line(session.getInputStream())).isEqualTo("one");

      Path cfg = dir.resolve("haproxy.cfg");
      Files.writeString(cfg, head + "frontend fe\n  bind 127.0.0.1:0\n  default_backend c\n"
          + "backend b\n  server one 127.0.0.1:" + one.port() + "\n"
          + "backend c\n  server two 127.0.0.1:" + two.port() + "\n");
      assertThat(node.reload()).isNull();

      // The session opened before the reload carries on where it was.
      session.getOutputStream().write("still\n".getBytes());
      assertThat(line(session.getInputStream())).isEqualTo("still");
      // New connections follow the new rules on the same, never-closed listener.
      assertThat(HaproxyNodes.frontend(node, "fe").getPort()).isEqualTo(fixed);
      assertThat(greet(fixed)).isEqualTo("two");
      // A frontend the file no longer has stops listening.
      assertThat(node.haproxy().addresses("gone")).isEmpty();
      assertThatRefused(removed);
      SocketAddress stats = node.haproxy().statsAddresses().get(0);
      assertThat(Cli.send(stats, "show backend")).isEqualTo("# name\nb\nc\n\n");

      // A file that does not parse changes nothing and says why.
      Files.writeString(cfg, head + "backend c\n  server two 127.0.0.1:" + two.port() + " wight 3\n");
      assertThat(node.reload()).contains("haproxy.cfg:9: unknown keyword 'wight' on server line");
      assertThat(greet(fixed)).isEqualTo("two");
      session.getOutputStream().write("again\n".getBytes());
      assertThat(line(session.getInputStream())).isEqualTo("again");
    }
  }

  private static void assertThatRefused(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      throw new AssertionError("port " + port + " still accepts");
    } catch (ConnectException expected) {
      // closed
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void healthSurvivesAReload() throws Exception {
    int dead = open.add(DeadPort.open()).port();
    Node node = HaproxyNodes.start(dir, "global", "  stats socket ipv4@127.0.0.1:0 level admin",
        "backend b", "  timeout connect 1s", "  server s 127.0.0.1:" + dead + " check inter 100");
    open.add(node);
    SocketAddress stats = node.haproxy().statsAddresses().get(0);
    org.awaitility.Awaitility.await().until(() -> Cli.statuses(Cli.send(stats, "show stat b 4 -1")).get("b/s").equals("DOWN"));
    assertThat(node.reload()).isNull();
    SocketAddress after = node.haproxy().statsAddresses().get(0);
    assertThat(Cli.statuses(Cli.send(after, "show stat b 4 -1")).get("b/s"))
        .as("HAProxy forgets health at reload; Fulcrum does not").isEqualTo("DOWN");
  }
}
