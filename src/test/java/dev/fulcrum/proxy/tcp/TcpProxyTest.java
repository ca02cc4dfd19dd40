package dev.fulcrum.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The L4 proxy on real sockets: relay, half-close, limits, retries, PROXY protocol. */
class TcpProxyTest {
  @TempDir Path dir;
  @RegisterExtension final Closer open = new Closer();

  private TcpServer server(String greeting) {
    TcpServer s = TcpServer.echo(greeting);
    open.add(s);
    return s;
  }

  private Node node(String... lines) {
    Node n = HaproxyNodes.start(dir, lines);
    open.add(n);
    return n;
  }

  private static String[] common(String... more) {
    List<String> l = new ArrayList<>(List.of(
        "global", "  stats socket ipv4@127.0.0.1:0 level admin",
        "defaults", "  mode tcp", "  timeout connect 1s", "  timeout client 10s", "  timeout server 10s"));
    l.addAll(List.of(more));
    return l.toArray(new String[0]);
  }

  private static Socket connect(Node node) throws IOException {
    Socket s = new Socket("127.0.0.1", HaproxyNodes.frontend(node, "fe").getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Test
  void bulkBytesArriveIntactBothWays() throws Exception {
    TcpServer echo = server(null);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server s 127.0.0.1:" + echo.port()));
    byte[] data = new byte[16 * 1024 * 1024];
    new Random(7).nextBytes(data);
    try (Socket s = connect(node)) {
      CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
        try {
          return s.getInputStream().readAllBytes();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      OutputStream out = s.getOutputStream();
      out.write(data);
      out.flush();
      // Half-close: the server sees the end, finishes echoing and closes; we read to the end.
      s.shutdownOutput();
      byte[] back = received.get(30, TimeUnit.SECONDS);
      assertThat(back.length).isEqualTo(data.length);
      assertThat(MessageDigest.getInstance("SHA-256").digest(back))
          .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
    }
    String[] fe = row(Cli.send(HaproxyNodes.stats(node), "show stat fe 1 -1"), "FRONTEND");
    assertThat(Long.parseLong(fe[8])).as("bin").isEqualTo(data.length);
    assertThat(Long.parseLong(fe[9])).as("bout").isEqualTo(data.length);
  }

  /**
   * Half-closed connections with backpressure on the way back (Netty 4.2's epoll dropped them from
   * epoll and lost writes; see EpollRegistrations): many rounds, every byte must come back.
   */
  @Test
  void halfClosedConnectionsKeepEveryByteUnderBackpressure() throws Exception {
    TcpServer echo = server(null);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server s 127.0.0.1:" + echo.port()));
    byte[] data = new byte[4 * 1024 * 1024];
    new Random(3).nextBytes(data);
    for (int round = 0; round < 25; round++) {
      try (Socket s = connect(node)) {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
          try {
            return s.getInputStream().readAllBytes();
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
        s.getOutputStream().write(data);
        s.shutdownOutput();
        assertThat(received.get(30, TimeUnit.SECONDS)).as("round " + round).hasSize(data.length);
      }
    }
  }

  private static String[] row(String csv, String svname) {
    for (String line : csv.split("\n")) {
      String[] c = line.split(",", -1);
      if (c.length > 1 && c[1].equals(svname)) {
        return c;
      }
    }
    throw new AssertionError(svname + " not in " + csv);
  }

  @Test
  void noUsableServerClosesAtOnceWithoutAByte() throws Exception {
    TcpServer echo = server("hello");
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server s 127.0.0.1:" + echo.port() + " disabled"));
    try (Socket s = connect(node)) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    assertThat(echo.accepted()).isZero();
    assertThat(row(Cli.send(HaproxyNodes.stats(node), "show stat fe 2 -1"), "BACKEND")[13]).as("econ").isEqualTo("1");
  }

  @Test
  void redispatchSkipsADeadServer() throws Exception {
    TcpServer live = server("live");
    int dead = open.add(DeadPort.open()).port();
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  option redispatch", "  retries 3",
        "  server dead 127.0.0.1:" + dead, "  server live 127.0.0.1:" + live.port()));
    for (int i = 0; i < 6; i++) {
      try (Socket s = connect(node)) {
        assertThat(line(s.getInputStream())).isEqualTo("live");
      }
    }
    String csv = Cli.send(HaproxyNodes.stats(node), "show stat fe 4 -1");
    assertThat(Long.parseLong(row(csv, "dead")[16])).as("wredis on the server switched away from").isGreaterThan(0);
  }

  /**
   * A Fulcrum extension of retry-on in tcp mode (HAProxy ignores it there): a server that resets
   * before answering a byte gets the client's first bytes replayed to another server.
   */
  @Test
  void emptyResponseRetriesReplayTheClientsBytesElsewhere() throws Exception {
    TcpServer resetting = TcpServer.resetting();
    open.add(resetting);
    TcpServer echo = server(null);
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  option redispatch", "  retries 2", "  retry-on conn-failure empty-response",
        "  server bad 127.0.0.1:" + resetting.port(), "  server good 127.0.0.1:" + echo.port()));
    for (int i = 0; i < 4; i++) {
      try (Socket s = connect(node)) {
        s.getOutputStream().write("ping\n".getBytes());
        assertThat(line(s.getInputStream())).isEqualTo("ping");
      }
    }
    assertThat(resetting.accepted()).as("half the sessions went to the resetting server first").isGreaterThan(0);
  }

  @Test
  void withoutEmptyResponseARetryIsNotReplayed() throws Exception {
    TcpServer resetting = TcpServer.resetting();
    open.add(resetting);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server bad 127.0.0.1:" + resetting.port()));
    try (Socket s = connect(node)) {
      s.getOutputStream().write("ping\n".getBytes());
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } catch (java.net.SocketException reset) {
      // a reset passed on is fine too: nothing was answered
    }
  }

  @Test
  void withoutRedispatchRetriesStayOnTheServerAndGiveUp() throws Exception {
    int dead = open.add(DeadPort.open()).port();
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  retries 2", "  timeout connect 100ms",
        "  server dead 127.0.0.1:" + dead));
    long start = System.nanoTime();
    try (Socket s = connect(node)) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(took).as("two turn-around delays of min(timeout connect, 1s)").isGreaterThanOrEqualTo(200);
    String[] srv = row(Cli.send(HaproxyNodes.stats(node), "show stat fe 4 -1"), "dead");
    assertThat(srv[15]).as("wretr").isEqualTo("2");
    assertThat(srv[13]).as("econ").isEqualTo("1");
  }

  @Test
  void idleClientsAreClosedAfterTimeoutClient() throws Exception {
    TcpServer echo = server("hi");
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  timeout client 300ms", "  timeout server 300ms",
        "  server s 127.0.0.1:" + echo.port()));
    try (Socket s = connect(node)) {
      assertThat(line(s.getInputStream())).isEqualTo("hi");
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
    }
  }

  @Test
  void serverMaxconnQueuesTheNextClientUntilASlotFrees() throws Exception {
    TcpServer echo = server("hi");
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  timeout queue 5s", "  server s 127.0.0.1:" + echo.port() + " maxconn 1"));
    SocketAddress stats = HaproxyNodes.stats(node);
    try (Socket first = connect(node)) {
      assertThat(line(first.getInputStream())).isEqualTo("hi");
      try (Socket second = connect(node)) {
        await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(row(Cli.send(stats, "show stat fe 2 -1"), "BACKEND")[2]));
        assertThat(echo.accepted()).isEqualTo(1);
        // The time spent queued is what qtime measures below: no state to wait for, a sleep.
        Thread.sleep(300);
        first.close();
        assertThat(line(second.getInputStream())).isEqualTo("hi");
        assertThat(echo.accepted()).isEqualTo(2);
      }
    }
    String[] be = row(Cli.send(stats, "show stat fe 2 -1"), "BACKEND");
    assertThat(be[3]).as("qmax").isEqualTo("1");
    assertThat(be[84]).as("connect").isEqualTo("2");
    assertThat(Long.parseLong(be[90])).as("qtime_max").isGreaterThanOrEqualTo(300);
    assertThat(Long.parseLong(be[58])).as("qtime: the mean of 0 and the wait").isBetween(100L, Long.parseLong(be[90]));
  }

  @Test
  void aQueuedClientGivesUpAfterTimeoutQueue() throws Exception {
    TcpServer echo = server("hi");
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  timeout queue 300ms", "  server s 127.0.0.1:" + echo.port() + " maxconn 1"));
    try (Socket first = connect(node)) {
      assertThat(line(first.getInputStream())).isEqualTo("hi");
      try (Socket second = connect(node)) {
        long start = System.nanoTime();
        assertThat(second.getInputStream().read()).isEqualTo(-1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(200L, 5000L);
      }
    }
  }

  @Test
  void frontendMaxconnStopsAcceptingAndResumes() throws Exception {
    TcpServer echo = server("hi");
    Node node = node(common(
        "frontend fe", "  bind 127.0.0.1:0", "  maxconn 1", "  default_backend be",
        "backend be", "  server s 127.0.0.1:" + echo.port()));
    try (Socket first = connect(node)) {
      assertThat(line(first.getInputStream())).isEqualTo("hi");
      try (Socket second = connect(node)) {
        // Connected in the kernel's backlog, but not accepted: nothing comes.
        second.setSoTimeout(500);
        assertThatTimesOut(second.getInputStream());
        first.close();
        second.setSoTimeout(5000);
        assertThat(line(second.getInputStream())).isEqualTo("hi");
      }
    }
  }

  private static void assertThatTimesOut(InputStream in) throws IOException {
    try {
      int b = in.read();
      throw new AssertionError("expected nothing, got " + b);
    } catch (SocketTimeoutException expected) {
      // good
    }
  }

  @Test
  void sendProxyV1AnnouncesTheClient() throws Exception {
    TcpServer echo = server(null);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server s 127.0.0.1:" + echo.port() + " send-proxy"));
    try (Socket s = connect(node)) {
      s.getOutputStream().write("x\n".getBytes());
      String header = line(s.getInputStream());
      assertThat(header).isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + s.getLocalPort() + " " + s.getPort() + "\r");
      assertThat(line(s.getInputStream())).isEqualTo("x");
    }
  }

  @Test
  void sendProxyV2IsBinary() throws Exception {
    TcpServer echo = server(null);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0", "  server s 127.0.0.1:" + echo.port() + " send-proxy-v2"));
    try (Socket s = connect(node)) {
      byte[] sig = s.getInputStream().readNBytes(16);
      assertThat(new String(sig, 0, 12, StandardCharsets.ISO_8859_1)).isEqualTo("\r\n\r\n\0\r\nQUIT\n");
      assertThat(sig[12]).as("version 2, PROXY").isEqualTo((byte) 0x21);
      assertThat(sig[13]).as("TCP over IPv4").isEqualTo((byte) 0x11);
    }
  }

  @Test
  void acceptProxyTakesTheAnnouncedClientAndPassesItOn() throws Exception {
    TcpServer echo = server(null);
    Node node = node(common("listen fe", "  bind 127.0.0.1:0 accept-proxy", "  server s 127.0.0.1:" + echo.port() + " send-proxy"));
    try (Socket s = connect(node)) {
      OutputStream out = s.getOutputStream();
      out.write("PROXY TCP4 192.0.2.7 198.51.100.1 40000 443\r\nping\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(line(s.getInputStream())).isEqualTo("PROXY TCP4 192.0.2.7 198.51.100.1 40000 443\r");
      assertThat(line(s.getInputStream())).isEqualTo("ping");
    }
  }

  @Test
  void sessionsSurviveAServerGoingDownUnlessAskedOtherwise() throws Exception {
    TcpServer a = server("a");
    TcpServer b = server("b");
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0",
        "  server keep 127.0.0.1:" + a.port(),
        "  server kill 127.0.0.1:" + b.port() + " on-marked-down shutdown-sessions"));
    SocketAddress stats = HaproxyNodes.stats(node);
    try (Socket s1 = connect(node)) {
      assertThat(line(s1.getInputStream())).isEqualTo("a");
      Socket s2 = connect(node);
      open.add(s2);
      assertThat(line(s2.getInputStream())).isEqualTo("b");
      assertThat(Cli.send(stats, "set server fe/keep health down")).isEqualTo("\n");
      assertThat(Cli.send(stats, "set server fe/kill health down")).isEqualTo("\n");
      assertThat(s2.getInputStream().read()).as("shutdown-sessions closed it").isEqualTo(-1);
      s1.getOutputStream().write("still here\n".getBytes());
      assertThat(line(s1.getInputStream())).isEqualTo("still here");
    }
  }

  @Test
  void sourceBalancingKeepsAClientOnOneServer() throws Exception {
    TcpServer a = server("a");
    TcpServer b = server("b");
    Node node = node(common(
        "listen fe", "  bind 127.0.0.1:0", "  balance source",
        "  server a 127.0.0.1:" + a.port(), "  server b 127.0.0.1:" + b.port()));
    String first = null;
    for (int i = 0; i < 5; i++) {
      try (Socket s = connect(node)) {
        String got = line(s.getInputStream());
        first = first == null ? got : first;
        assertThat(got).isEqualTo(first);
      }
    }
    // 127.0.0.1 = 0x7f000001, odd: map-based source hashing takes the second of two equal servers.
    assertThat(first).isEqualTo("b");
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }
}
