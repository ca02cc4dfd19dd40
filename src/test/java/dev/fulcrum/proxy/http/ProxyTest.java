package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the proxy does to requests and responses, end to end on loopback. */
class ProxyTest {
  static Backend a;
  static Backend b;
  static TestNode node;
  static AdminClient admin;

  @BeforeAll
  static void start() {
    a = Backend.start("a");
    b = Backend.start("b");
    node = TestNode.start();
    admin = node.admin();
    admin.post("/services", "name=plain", "url=http://" + a.target() + "/base");
    admin.post("/services/plain/routes", "name=plain", "paths[]=/plain");
    admin.post("/services/plain/routes", "name=keep", "paths[]=/keep", "strip_path=false");
    admin.post("/services/plain/routes", "name=preserve", "paths[]=/preserve", "preserve_host=true");
    admin.post("/services/plain/routes", "name=secure", "paths[]=/secure", "protocols[]=https");
    admin.post("/services/plain/routes", "name=redirect", "paths[]=/redirect", "protocols[]=https",
        "https_redirect_status_code=301");
    admin.post("/services", "name=root", "url=http://" + a.target());
    admin.post("/services/root/routes", "name=root", "paths[]=/root");
  }

  @AfterAll
  static void stop() {
    node.close();
    a.close();
    b.close();
  }

  private static String url(String path) {
    return node.proxyUrl() + path;
  }

  @Test
  void forwardedHeadersAndVia() {
    HttpResponse<String> r =
        Http.get(url("/plain/x?q=1&q=2"), "X-Forwarded-For", "10.1.1.1", "Via", "1.1 edge");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode seen = Http.json(r).get("headers");
    assertThat(seen.get("x-forwarded-for").asText()).isEqualTo("10.1.1.1, 127.0.0.1");
    assertThat(seen.get("x-real-ip").asText()).isEqualTo("127.0.0.1");
    assertThat(seen.get("x-forwarded-proto").asText()).isEqualTo("http");
    assertThat(seen.get("x-forwarded-host").asText()).isEqualTo("127.0.0.1");
    assertThat(seen.get("x-forwarded-port").asText()).isEqualTo(Integer.toString(node.proxyPort()));
    assertThat(seen.get("x-forwarded-path").asText()).isEqualTo("/plain/x");
    assertThat(seen.get("x-forwarded-prefix").asText()).isEqualTo("/plain");
    assertThat(seen.get("via").asText()).startsWith("1.1 edge, 1.1 fulcrum/");
    assertThat(seen.get("host").asText()).isEqualTo(a.target());
    assertThat(Http.json(r).get("uri").asText()).isEqualTo("/base/x?q=1&q=2");
    assertThat(r.headers().firstValue("via").orElse("")).contains("fulcrum/");
    assertThat(r.headers().firstValue("x-kong-upstream-latency")).isPresent();
    assertThat(r.headers().firstValue("x-kong-proxy-latency")).isPresent();
    assertThat(r.headers().firstValue("x-backend")).contains("a");
  }

  @Test
  void hopByHopHeadersStayOnTheirHop() {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      String response =
          raw.send(
                  "GET /plain/h HTTP/1.1\r\nHost: x.test\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                      + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: gzip\r\nX-End: 2\r\n\r\n")
              .readResponse();
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      assertThat(body).contains("\"x-end\":\"2\"").doesNotContain("x-hop").doesNotContain("keep-alive\",\"te")
          .doesNotContain("proxy-connection").doesNotContain("\"te\"");
      assertThat(body).contains("\"connection\":\"keep-alive\"");
    }
  }

  @Test
  void stripPathOffAndRootService() {
    assertThat(Http.json(Http.get(url("/keep/x"))).get("path").asText()).isEqualTo("/base/keep/x");
    assertThat(Http.json(Http.get(url("/root/y/z"))).get("path").asText()).isEqualTo("/y/z");
    assertThat(Http.json(Http.get(url("/root"))).get("path").asText()).isEqualTo("/");
  }

  @Test
  void preserveHostSendsTheClientsHost() {
    JsonNode seen = Http.json(Http.get(url("/preserve/p"), "Host", "client.test:1234")).get("headers");
    assertThat(seen.get("host").asText()).isEqualTo("client.test:1234");
  }

  @Test
  void httpsOnlyRouteOverHttpIs426() {
    HttpResponse<String> r = Http.get(url("/secure"));
    assertThat(r.statusCode()).isEqualTo(426);
    assertThat(r.body()).contains("Please use HTTPS protocol");
  }

  @Test
  void httpsOnlyRouteRedirectsToTheLowercasedHostWithoutPort() {
    HttpResponse<String> r = Http.get(url("/redirect/x?y=1"), "Host", "Example.COM:1234");
    assertThat(r.statusCode()).isEqualTo(301);
    assertThat(r.headers().firstValue("location")).hasValue("https://example.com/redirect/x?y=1");
  }

  @Test
  void noRouteIs404InTheAskedFormat() {
    HttpResponse<String> json = Http.get(url("/nowhere"));
    assertThat(json.statusCode()).isEqualTo(404);
    assertThat(json.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    assertThat(Http.json(json).get("message").asText()).isEqualTo("no Route matched with those values");
    assertThat(Http.json(json).get("request_id").asText()).hasSize(32);
    HttpResponse<String> html = Http.get(url("/nowhere"), "Accept", "text/html");
    assertThat(html.body()).contains("<p>no Route matched with those values.</p>");
    HttpResponse<String> text = Http.get(url("/nowhere"), "Accept", "text/plain;q=0.9, application/xml;q=0.1");
    assertThat(text.body()).startsWith("no Route matched with those values\nrequest_id: ");
  }

  @Test
  void requestBodiesStreamBothWays() throws Exception {
    byte[] body = new byte[3 * 1024 * 1024 + 17];
    ThreadLocalRandom.current().nextBytes(body);
    HttpResponse<byte[]> fixed =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create(url("/root/echo"))).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(fixed.statusCode()).isEqualTo(200);
    assertThat(Arrays.equals(fixed.body(), body)).isTrue();
    // A publisher of unknown length is sent chunked.
    HttpResponse<byte[]> chunked =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create(url("/root/echo")))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(chunked.statusCode()).isEqualTo(200);
    assertThat(Arrays.equals(chunked.body(), body)).isTrue();
  }

  @Test
  void largeResponsesArriveWhole() throws Exception {
    long size = 50L * 1024 * 1024;
    HttpResponse<java.io.InputStream> r =
        Http.CLIENT.send(
            HttpRequest.newBuilder(URI.create(url("/root/bytes/" + size))).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    long n = 0;
    byte[] buf = new byte[65536];
    try (java.io.InputStream in = r.body()) {
      int k;
      while ((k = in.read(buf)) > 0) {
        n += k;
      }
    }
    assertThat(n).isEqualTo(size);
  }

  @Test
  void expectContinueIsAnsweredByTheProxy() {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      String interim =
          raw.send("POST /root/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
              .readAll(1000);
      assertThat(interim).startsWith("HTTP/1.1 100 Continue");
      String response = raw.send("hello").readResponse();
      assertThat(RawHttp.status(response)).isEqualTo(200);
      assertThat(response).endsWith("hello");
    }
  }

  @Test
  void headRequestsHaveNoBody() throws Exception {
    HttpResponse<String> r =
        Http.send(HttpRequest.newBuilder(URI.create(url("/root/h"))).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void manyRequestsOnOneConnection() {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      for (int i = 0; i < 20; i++) {
        String r = raw.send("GET /root/k" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
        assertThat(RawHttp.status(r)).isEqualTo(200);
        assertThat(r).contains("\"/k" + i + "\"");
      }
    }
  }

  @Test
  void upstreamErrorsPassThroughUnchanged() {
    HttpResponse<String> r = Http.get(url("/root/status/503"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(Http.json(r).get("server").asText()).isEqualTo("a");
  }

  @Test
  void connectionRefusedIs502() {
    Backend gone = Backend.start("gone");
    String target = gone.target();
    gone.close();
    admin.post("/services", "name=refused", "url=http://" + target, "retries=1");
    admin.post("/services/refused/routes", "paths[]=/refused");
    HttpResponse<String> r = Http.get(url("/refused"));
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).startsWith("An invalid response was received from the upstream server\nrequest_id: ");
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
  }

  @Test
  void readTimeoutIs504() {
    admin.post("/services", "name=slow", "url=http://" + a.target(), "read_timeout=300", "retries=0");
    admin.post("/services/slow/routes", "paths[]=/slow");
    long start = System.nanoTime();
    HttpResponse<String> r = Http.get(url("/slow/delay/3000"), "Accept", "application/json");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(Http.json(r).get("message").asText()).isEqualTo("The upstream server is timing out");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2900));
  }

  @Test
  void upstreamWithoutUsableTargetsIs503() {
    admin.post("/upstreams", "name=empty.test");
    admin.post("/services", "name=empty", "host=empty.test");
    admin.post("/services/empty/routes", "paths[]=/empty");
    HttpResponse<String> none = Http.get(url("/empty"));
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(Http.json(none).get("message").asText()).isEqualTo("failure to get a peer from the ring-balancer");
    admin.post("/upstreams/empty.test/targets", "target=" + a.target(), "weight=0");
    assertThat(Http.get(url("/empty")).statusCode()).isEqualTo(503);
    admin.patch("/upstreams/empty.test/targets/" + a.target(), "weight=10");
    assertThat(Http.get(url("/empty")).statusCode()).isEqualTo(200);
  }

  @Test
  void routeWithoutServiceIs503() {
    admin.post("/routes", "name=orphan", "paths[]=/orphan");
    HttpResponse<String> r = Http.get(url("/orphan"));
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(Http.json(r).get("message").asText()).isEqualTo("no Service found with those values");
  }

  @Test
  void disabledServiceTakesItsRoutesOut() {
    admin.post("/services", "name=toggle", "url=http://" + a.target());
    admin.post("/services/toggle/routes", "paths[]=/toggle");
    assertThat(Http.get(url("/toggle")).statusCode()).isEqualTo(200);
    admin.patch("/services/toggle", "enabled=false");
    assertThat(Http.get(url("/toggle")).statusCode()).isEqualTo(404);
  }

  @Test
  void aChangeAppliesToTheNextRequestWithoutDroppingOnesInFlight() throws Exception {
    admin.post("/services", "name=moving", "url=http://" + a.target());
    admin.post("/services/moving/routes", "paths[]=/moving");
    int hitsBefore = a.hits();
    CompletableFuture<HttpResponse<String>> slow =
        Http.CLIENT.sendAsync(
            HttpRequest.newBuilder(URI.create(url("/moving/delay/700"))).build(), HttpResponse.BodyHandlers.ofString());
    // The slow request is at a, in flight, before the change.
    await().atMost(Duration.ofSeconds(5)).until(() -> a.hits() > hitsBefore);
    admin.patch("/services/moving", "url=http://" + b.target());
    assertThat(Http.json(Http.get(url("/moving/now"))).get("server").asText()).isEqualTo("b");
    HttpResponse<String> inFlight = slow.get();
    assertThat(inFlight.statusCode()).isEqualTo(200);
    assertThat(Http.json(inFlight).get("server").asText()).isEqualTo("a");
  }

  @Test
  void retriesAnotherTargetWhenOneRefuses() {
    try (DeadPort dead = DeadPort.open()) {
      admin.post("/upstreams", "name=retry.test");
      admin.post("/upstreams/retry.test/targets", "target=" + dead.target());
      admin.post("/upstreams/retry.test/targets", "target=" + b.target());
      admin.post("/services", "name=retry", "host=retry.test");
      admin.post("/services/retry/routes", "paths[]=/retry");
      for (int i = 0; i < 10; i++) {
        HttpResponse<String> r = Http.get(url("/retry/" + i));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Http.json(r).get("server").asText()).isEqualTo("b");
      }
    }
  }

  @Test
  void webSocketUpgradeBecomesATunnel() throws Exception {
    try (java.net.ServerSocket echo = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                try (java.net.Socket s = echo.accept()) {
                  java.io.InputStream in = s.getInputStream();
                  byte[] head = new byte[4096];
                  int n = 0;
                  while (n < 4 || !new String(head, 0, n, StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    n += in.read(head, n, 1);
                  }
                  s.getOutputStream()
                      .write(
                          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                  + "Sec-WebSocket-Accept: x\r\n\r\n")
                              .getBytes(StandardCharsets.ISO_8859_1));
                  byte[] buf = new byte[64];
                  int k;
                  while ((k = in.read(buf)) > 0) {
                    s.getOutputStream().write(buf, 0, k);
                  }
                } catch (java.io.IOException e) {
                  // test ends
                }
              });
      server.start();
      admin.post("/services", "name=ws", "url=http://127.0.0.1:" + echo.getLocalPort());
      admin.post("/services/ws/routes", "paths[]=/ws");
      try (RawHttp raw = new RawHttp(node.proxyPort())) {
        String handshake =
            raw.send(
                    "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .readAll(500);
        assertThat(RawHttp.status(handshake)).isEqualTo(101);
        assertThat(raw.send("ping-frame").readAll(500)).isEqualTo("ping-frame");
      }
      server.join(2000);
    }
  }

  @Test
  void uriWithEncodedCharactersIsNormalisedThenEscaped() {
    JsonNode seen = Http.json(Http.get(url("/root/a%20b/%7Euser/./c")));
    assertThat(seen.get("path").asText()).isEqualTo("/a%20b/~user/c");
  }
}
