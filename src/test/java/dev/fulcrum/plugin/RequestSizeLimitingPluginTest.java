package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.PluginRoutes;
import dev.fulcrum.testing.TestNode;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's request-size-limiting through a node: bodies judged by Content-Length before anything
 * reaches the server, chunked bodies counted as they stream, 413 or 417 (Expect: 100-continue),
 * 411 with require_content_length, units, and Kong's validation
 * (spec/03-plugins/12-request-size-limiting).
 */
class RequestSizeLimitingPluginTest {
  private static final String TOO_LARGE = "Request size limit exceeded";

  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("size");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=s", "url=http://" + backend.target()).status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  /** A route at {@code path} with request-size-limiting configured by {@code config}. */
  private void limit(String path, String... config) {
    PluginRoutes.add(admin, "s", path, "request-size-limiting", config);
  }

  private HttpResponse<String> post(String path, int bytes) {
    return Http.send(HttpRequest.newBuilder(URI.create(node.proxyUrl() + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("a".repeat(bytes))).build());
  }

  /** A POST whose body has no announced length: the client sends it chunked. */
  private HttpResponse<String> postChunked(String path, int bytes) {
    byte[] body = "a".repeat(bytes).getBytes();
    return Http.send(HttpRequest.newBuilder(URI.create(node.proxyUrl() + path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
  }

  private static String chunked(int bytes) {
    StringBuilder sb = new StringBuilder();
    for (int left = bytes; left > 0; left -= 1000) {
      int n = Math.min(1000, left);
      sb.append(Integer.toHexString(n)).append("\r\n").append("a".repeat(n)).append("\r\n");
    }
    return sb.append("0\r\n\r\n").toString();
  }

  private static JsonNode body(String raw) {
    int start = raw.lastIndexOf("\r\n\r\n{");
    return Json.parseObject(raw.substring(start + 4));
  }

  @Test
  void judgesAContentLengthBeforeTheServerSeesAnything() {
    limit("/bytes", "config.allowed_payload_size=10", "config.size_unit=bytes");
    limit("/kilobytes", "config.allowed_payload_size=2", "config.size_unit=kilobytes");
    limit("/megabytes", "config.allowed_payload_size=1");
    await().atMost(Duration.ofSeconds(10)).until(() -> post("/megabytes", 1024 * 1024 + 1).statusCode() == 413);
    int hits = backend.hits();

    HttpResponse<String> fits = post("/bytes", 10);
    assertThat(fits.statusCode()).isEqualTo(200);
    assertThat(Http.json(fits).path("body_length").asInt()).isEqualTo(10);
    HttpResponse<String> over = post("/bytes", 11);
    assertThat(over.statusCode()).isEqualTo(413);
    assertThat(Http.json(over).path("message").asText()).isEqualTo(TOO_LARGE);
    assertThat(over.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(post("/kilobytes", 2048).statusCode()).isEqualTo(200);
    assertThat(post("/kilobytes", 2049).statusCode()).isEqualTo(413);
    assertThat(post("/megabytes", 1024 * 1024).statusCode()).isEqualTo(200);
    assertThat(backend.hits()).isEqualTo(hits + 3);
    // A body-less request passes.
    assertThat(Http.get(node.proxyUrl() + "/bytes").statusCode()).isEqualTo(200);
  }

  @Test
  void aClientWaitingFor100ContinueGets417() {
    limit("/bytes", "config.allowed_payload_size=10", "config.size_unit=bytes");
    await().atMost(Duration.ofSeconds(10)).until(() -> post("/bytes", 11).statusCode() == 413);
    int hits = backend.hits();
    try (RawHttp c = new RawHttp(node.proxyPort())) {
      String r = c.send("POST /bytes HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
          .readResponse();
      assertThat(RawHttp.status(r)).isEqualTo(417);
      assertThat(body(r).path("message").asText()).isEqualTo(TOO_LARGE);
      // The body it held back never comes: the connection closes.
      assertThat(RawHttp.header(r, "Connection")).isEqualTo("close");
    }
    HttpResponse<String> within = Http.send(HttpRequest.newBuilder(URI.create(node.proxyUrl() + "/bytes"))
        .expectContinue(true).POST(HttpRequest.BodyPublishers.ofString("0123456789")).build());
    assertThat(within.statusCode()).isEqualTo(200);
    assertThat(Http.json(within).path("body_length").asInt()).isEqualTo(10);
    assertThat(backend.hits()).isEqualTo(hits + 1);
  }

  @Test
  void countsAChunkedBodyAsItStreams() {
    limit("/kilobytes", "config.allowed_payload_size=2", "config.size_unit=kilobytes");
    await().atMost(Duration.ofSeconds(10)).until(() -> post("/kilobytes", 2049).statusCode() == 413);

    HttpResponse<String> fits = postChunked("/kilobytes", 2048);
    assertThat(fits.statusCode()).isEqualTo(200);
    assertThat(Http.json(fits).path("body_length").asInt()).isEqualTo(2048);
    assertThat(Http.json(fits).path("headers").path("transfer-encoding").asText()).isEqualTo("chunked");

    int completed = backend.completed();
    HttpResponse<String> over = postChunked("/kilobytes", 2049);
    assertThat(over.statusCode()).isEqualTo(413);
    assertThat(Http.json(over).path("message").asText()).isEqualTo(TOO_LARGE);

    // Far over the limit: cut at the limit, the rest unread; the server never gets a whole request.
    String big = RawHttp.exchange(node.proxyPort(),
        "POST /kilobytes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(200_000));
    assertThat(RawHttp.status(big)).isEqualTo(413);
    assertThat(RawHttp.header(big, "Connection")).isEqualTo("close");
    assertThat(body(big).path("message").asText()).isEqualTo(TOO_LARGE);
    assertThat(backend.completed()).isEqualTo(completed);

    // Expecting 100-continue: the body comes once a server takes the request, then 417.
    String expect = RawHttp.exchange(node.proxyPort(),
        "POST /kilobytes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
            + chunked(3000));
    assertThat(expect).startsWith("HTTP/1.1 100 Continue");
    assertThat(RawHttp.status(expect.substring(expect.indexOf("\r\n\r\n") + 4))).isEqualTo(417);
    assertThat(backend.completed()).isEqualTo(completed);
  }

  @Test
  void requireContentLengthRefusesRequestsWithout() {
    limit("/required", "config.allowed_payload_size=2", "config.size_unit=kilobytes",
        "config.require_content_length=true");
    // A raw GET: Java 17's client sends Content-Length: 0 even on a GET (JDK-8283544).
    String get = "GET /required HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.status(RawHttp.exchange(node.proxyPort(), get)) == 411);
    String none = RawHttp.exchange(node.proxyPort(), get);
    assertThat(body(none).path("message").asText()).isEqualTo("A valid Content-Length header is required");
    assertThat(post("/required", 0).statusCode()).isEqualTo(200);
    assertThat(post("/required", 100).statusCode()).isEqualTo(200);
    // A chunked body is counted instead.
    assertThat(postChunked("/required", 100).statusCode()).isEqualTo(200);
    assertThat(postChunked("/required", 2049).statusCode()).isEqualTo(413);
  }

  @Test
  void scopedToItsRouteOrService() {
    admin.post("/services/s/routes", "name=a", "paths[]=/a");
    admin.post("/services", "name=other", "url=http://" + backend.target());
    admin.post("/services/other/routes", "name=b", "paths[]=/b");
    assertThat(admin.post("/services/s/plugins", "name=request-size-limiting", "config.allowed_payload_size=5",
        "config.size_unit=bytes").status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> post("/a", 6).statusCode() == 413);
    assertThat(post("/b", 6).statusCode()).isEqualTo(200);
    assertThat(post("/a", 5).statusCode()).isEqualTo(200);
  }

  @Test
  void configIsValidatedAsKongDoes() {
    AdminClient.Reply defaults = admin.post("/plugins", "name=request-size-limiting");
    assertThat(defaults.status()).isEqualTo(201);
    JsonNode config = defaults.json().path("config");
    assertThat(config.path("allowed_payload_size").asInt()).isEqualTo(128);
    assertThat(config.path("size_unit").asText()).isEqualTo("megabytes");
    assertThat(config.path("require_content_length").asBoolean()).isFalse();
    admin.delete("/plugins/" + defaults.field("id"));

    AdminClient.Reply unit = admin.post("/plugins", "name=request-size-limiting", "config.size_unit=gigabytes");
    assertThat(unit.status()).isEqualTo(400);
    assertThat(unit.json().path("fields").path("config").path("size_unit").asText())
        .isEqualTo("expected one of: megabytes, kilobytes, bytes");
    AdminClient.Reply size = admin.post("/plugins", "name=request-size-limiting", "config.allowed_payload_size=1.5");
    assertThat(size.json().path("fields").path("config").path("allowed_payload_size").asText())
        .isEqualTo("expected an integer");
    AdminClient.Reply nullUnit = admin.json("POST", "/plugins",
        "{\"name\":\"request-size-limiting\",\"config\":{\"size_unit\":null}}");
    assertThat(nullUnit.json().path("fields").path("config").path("size_unit").asText())
        .isEqualTo("required field missing");
  }
}
