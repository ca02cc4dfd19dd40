package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send slowly: a request head that does not complete in time (nginx's
 * client_header_timeout closes without a word, HAProxy's timeout http-request answers 408), a body
 * that stops (408), and 2,000 slowloris connections that do not keep others from being served.
 */
class SlowClientTest {
  @TempDir Path dir;
  @RegisterExtension final Closer closer = new Closer();

  private static final String PARTIAL_HEAD = "GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: ";

  private TestNode kong(Map<String, String> settings) {
    Backend backend = closer.add(Backend.start("b"));
    TestNode node = closer.add(TestNode.start(settings));
    node.admin().post("/services", "name=s", "url=http://" + backend.target());
    node.admin().post("/services/s/routes", "paths[]=/");
    return node;
  }

  /** What the server sends until it closes, or null if it is still open after {@code millis}. */
  private static String untilClosed(Socket s, int millis) throws IOException {
    s.setSoTimeout(millis);
    InputStream in = s.getInputStream();
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[4096];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
      return out.toString();
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      return out.toString();
    }
  }

  @Test
  void kongClosesAHeadThatTakesLongerThanClientHeaderTimeout() throws Exception {
    TestNode node = kong(Map.of("nginx_http_client_header_timeout", "1s", "nginx_http_keepalive_timeout", "10s"));
    try (Socket slow = new Socket("127.0.0.1", node.proxyPort()); Socket idle = new Socket("127.0.0.1", node.proxyPort())) {
      slow.getOutputStream().write(PARTIAL_HEAD.getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      assertThat(untilClosed(slow, 5000)).as("closed without an answer, as nginx does").isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(4));
      // A connection that sent nothing is idle, not slow: keepalive_timeout (10 s) applies.
      assertThat(untilClosed(idle, 200)).isNull();
      idle.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawHttp.status(untilClosed(idle, 5000))).isEqualTo(200);
    }
  }

  @Test
  void aBodyThatStopsIsAnswered408() throws Exception {
    TestNode node = kong(Map.of("nginx_http_client_body_timeout", "1s"));
    try (Socket s = new Socket("127.0.0.1", node.proxyPort())) {
      s.getOutputStream().write("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"
          .getBytes(StandardCharsets.US_ASCII));
      String response = untilClosed(s, 5000);
      assertThat(RawHttp.status(response)).isEqualTo(408);
      assertThat(response).contains("Request timeout").containsIgnoringCase("connection: close");
    }
  }

  @Test
  void haproxyAnswers408WhenTimeoutHttpRequestRunsOut() throws Exception {
    Backend backend = closer.add(Backend.start("b"));
    Node node = closer.add(HaproxyNodes.start(dir, "defaults", "  mode http", "  timeout connect 1s",
        "  timeout client 10s", "  timeout server 10s", "  timeout http-request 1s",
        "listen web", "  bind 127.0.0.1:0", "  server s " + backend.target()));
    try (Socket slow = new Socket("127.0.0.1", HaproxyNodes.frontend(node, "web").getPort())) {
      slow.getOutputStream().write(PARTIAL_HEAD.getBytes(StandardCharsets.US_ASCII));
      String response = untilClosed(slow, 5000);
      assertThat(RawHttp.status(response)).isEqualTo(408);
      assertThat(response).contains("<h1>408 Request Time-out</h1>");
    }
  }

  @Test
  void twoThousandSlowlorisConnectionsDoNotStopOthers() throws Exception {
    TestNode node = kong(Map.of("nginx_http_client_header_timeout", "3s"));
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 2000; i++) {
        Socket s = new Socket("127.0.0.1", node.proxyPort());
        s.getOutputStream().write(PARTIAL_HEAD.getBytes(StandardCharsets.US_ASCII));
        slow.add(s);
      }
      // Others are served meanwhile, promptly.
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        assertThat(Http.get(node.proxyUrl() + "/fine").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      }
      // And every slow one is cut at its header timeout.
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        for (Socket s : slow) {
          if (untilClosed(s, 1) == null) {
            return false;
          }
        }
        return true;
      });
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
