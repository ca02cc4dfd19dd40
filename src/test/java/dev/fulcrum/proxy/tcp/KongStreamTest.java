package dev.fulcrum.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.TcpServer;
import dev.fulcrum.testing.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Kong model on the L4 proxy: tcp services, routes by sources and destinations, stream_listen. */
class KongStreamTest {
  private TestNode node;
  private AdminClient admin;
  private final List<TcpServer> servers = new ArrayList<>();

  @BeforeEach
  void start() {
    node = TestNode.start(Map.of("stream_listen", "127.0.0.1:0"));
    admin = node.admin();
  }

  @AfterEach
  void stop() {
    node.close();
    servers.forEach(TcpServer::close);
  }

  private TcpServer server(String greeting) {
    TcpServer s = TcpServer.echo(greeting);
    servers.add(s);
    return s;
  }

  private int streamPort() {
    return node.node().streamAddresses().get(0).getPort();
  }

  private String greet() throws IOException {
    try (Socket s = new Socket("127.0.0.1", streamPort())) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      StringBuilder sb = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        sb.append((char) c);
      }
      return c < 0 && sb.length() == 0 ? null : sb.toString();
    }
  }

  private void awaitGreeting(String expected) {
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(greet()).isEqualTo(expected));
  }

  @Test
  void aTcpRouteBySourceReachesItsService() throws Exception {
    TcpServer echo = server("echo");
    assertThat(admin.post("/services", "name=tcp", "url=tcp://127.0.0.1:" + echo.port()).status()).isEqualTo(201);
    AdminClient.Reply r = admin.json("POST", "/services/tcp/routes",
        "{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"127.0.0.0/8\"}]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    awaitGreeting("echo");
    try (Socket s = new Socket("127.0.0.1", streamPort())) {
      s.setSoTimeout(5000);
      s.getInputStream().readNBytes(5);
      s.getOutputStream().write("ping\n".getBytes());
      assertThat(new String(s.getInputStream().readNBytes(5))).isEqualTo("ping\n");
    }
  }

  @Test
  void noMatchingRouteClosesTheConnection() throws Exception {
    TcpServer echo = server("echo");
    admin.post("/services", "name=tcp", "url=tcp://127.0.0.1:" + echo.port());
    admin.json("POST", "/services/tcp/routes", "{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"10.0.0.0/8\"}]}");
    // Without the route in force, a refusal would prove nothing: wait until the node routes with it.
    await().atMost(Duration.ofSeconds(10)).until(() -> node.node().snapshots().current().streams().size() == 1);
    assertThat(greet()).isNull();
  }

  @Test
  void theMostSpecificRouteWinsAndUpstreamsBalance() throws Exception {
    TcpServer wide = server("wide");
    TcpServer a = server("a");
    TcpServer b = server("b");
    admin.post("/services", "name=wide", "url=tcp://127.0.0.1:" + wide.port());
    admin.json("POST", "/services/wide/routes", "{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"127.0.0.0/8\"}]}");
    admin.post("/upstreams", "name=pair");
    admin.post("/upstreams/pair/targets", "target=127.0.0.1:" + a.port());
    admin.post("/upstreams/pair/targets", "target=127.0.0.1:" + b.port());
    admin.post("/services", "name=pair", "protocol=tcp", "host=pair", "port=1");
    admin.json("POST", "/services/pair/routes",
        "{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"127.0.0.1\"}],\"destinations\":[{\"port\":" + streamPort() + "}]}");
    awaitGreeting("a");
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      seen.add(greet());
    }
    assertThat(seen).containsOnly("a", "b").contains("a", "b");
  }
}
