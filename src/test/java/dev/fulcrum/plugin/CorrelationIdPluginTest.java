package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.PluginRoutes;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's correlation-id through a node: the generators, keeping a client's id, echoing it to the
 * client (also on the gateway's own answers), and Kong's validation
 * (spec/03-plugins/11-correlation-id).
 */
class CorrelationIdPluginTest {
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
  private static final Pattern UUID_COUNTER = Pattern.compile("(" + UUID + ")#(\\d+)");
  private static final String TRACKER = "\\d+\\.\\d+\\.\\d+\\.\\d+-\\d+-\\d+-\\d+-\\d+-\\d{10}\\.\\d{3}";

  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("cid");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=s", "url=http://" + backend.target()).status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  /** A route at {@code path} with correlation-id configured by {@code config}. */
  private void correlate(String path, String... config) {
    PluginRoutes.add(admin, "s", path, "correlation-id", config);
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(node.proxyUrl() + path, headers);
  }

  /** The id the server received in {@code header}. */
  private String seen(String path, String header, String... requestHeaders) {
    return Http.json(get(path, requestHeaders)).path("headers").path(header).asText(null);
  }

  private void awaitSeen(String path, String header) {
    await().atMost(Duration.ofSeconds(10)).until(() -> seen(path, header) != null);
  }

  @Test
  void uuidCounterCountsPerWorker() {
    correlate("/c");
    awaitSeen("/c", "kong-request-id");
    // Two requests on one connection are served by one event loop, Kong's worker.
    try (RawHttp c = new RawHttp(node.proxyPort())) {
      String request = "GET /c HTTP/1.1\r\nHost: x\r\n\r\n";
      Matcher first = idOf(c.send(request).readResponse());
      Matcher second = idOf(c.send(request).readResponse());
      assertThat(second.group(1)).isEqualTo(first.group(1));
      assertThat(Long.parseLong(second.group(2))).isEqualTo(Long.parseLong(first.group(2)) + 1);
    }
  }

  private static Matcher idOf(String raw) {
    JsonNode json = Json.parseObject(raw.substring(raw.indexOf("\r\n\r\n") + 4));
    Matcher m = UUID_COUNTER.matcher(json.path("headers").path("kong-request-id").asText());
    assertThat(m.matches()).as(raw).isTrue();
    return m;
  }

  @Test
  void uuidAndTrackerGenerators() {
    correlate("/uuid", "config.generator=uuid");
    correlate("/tracker", "config.generator=tracker");
    awaitSeen("/uuid", "kong-request-id");
    awaitSeen("/tracker", "kong-request-id");
    String one = seen("/uuid", "kong-request-id");
    String two = seen("/uuid", "kong-request-id");
    assertThat(one).matches(UUID);
    assertThat(two).matches(UUID).isNotEqualTo(one);
    String t1 = seen("/tracker", "kong-request-id");
    String t2 = seen("/tracker", "kong-request-id");
    assertThat(t1).matches(TRACKER).startsWith("127.0.0.1-" + node.proxyPort() + "-" + ProcessHandle.current().pid());
    assertThat(t2).matches(TRACKER).isNotEqualTo(t1);
  }

  @Test
  void keepsTheClientsIdAndUsesItsHeaderName() {
    correlate("/named", "config.header_name=Foo-Bar-Id");
    awaitSeen("/named", "foo-bar-id");
    assertThat(seen("/named", "foo-bar-id")).matches(UUID_COUNTER);
    assertThat(seen("/named", "foo-bar-id", "Foo-Bar-Id", "foobar")).isEqualTo("foobar");
    // Not echoed unless asked.
    assertThat(get("/named").headers().firstValue("Foo-Bar-Id")).isEmpty();
    // An empty or blank id is no id.
    for (String blank : new String[] {"", " "}) {
      String raw = RawHttp.exchange(node.proxyPort(),
          "GET /named HTTP/1.1\r\nHost: x\r\nFoo-Bar-Id:" + blank + "\r\nConnection: close\r\n\r\n");
      String id = Json.parseObject(raw.substring(raw.indexOf("\r\n\r\n") + 4)).path("headers").path("foo-bar-id").asText();
      assertThat(id).matches(UUID_COUNTER);
    }
    // Routes without the plugin send no id.
    admin.post("/services/s/routes", "name=plain", "paths[]=/plain");
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/plain").statusCode() == 200);
    assertThat(seen("/plain", "kong-request-id")).isNull();
  }

  @Test
  void echoDownstreamSendsTheIdBackOnEveryAnswer() {
    correlate("/echo", "config.generator=uuid", "config.echo_downstream=true");
    correlate("/teapot", "config.generator=uuid", "config.echo_downstream=true");
    admin.post("/routes/teapot/plugins", "name=request-termination", "config.status_code=418",
        "config.message=I'm a teapot");
    awaitSeen("/echo", "kong-request-id");
    HttpResponse<String> r = get("/echo");
    String upstream = Http.json(r).path("headers").path("kong-request-id").asText();
    assertThat(upstream).matches(UUID);
    assertThat(r.headers().firstValue("Kong-Request-ID")).hasValue(upstream);
    assertThat(get("/echo", "Kong-Request-ID", "mine").headers().firstValue("Kong-Request-ID")).hasValue("mine");

    await().atMost(Duration.ofSeconds(10)).until(() -> get("/teapot").statusCode() == 418);
    HttpResponse<String> teapot = get("/teapot");
    assertThat(Http.json(teapot).path("message").asText()).isEqualTo("I'm a teapot");
    assertThat(teapot.headers().firstValue("Kong-Request-ID").orElse("")).matches(UUID);
    assertThat(get("/teapot", "kong-request-id", "my very personal id").headers().firstValue("Kong-Request-ID"))
        .hasValue("my very personal id");

    try (DeadPort dead = DeadPort.open()) {
      admin.post("/services", "name=down", "url=http://127.0.0.1:" + dead.port());
      admin.post("/services/down/routes", "name=down", "paths[]=/down");
      admin.post("/routes/down/plugins", "name=correlation-id", "config.echo_downstream=true");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> get("/down").headers().firstValue("Kong-Request-ID").isPresent());
      HttpResponse<String> down = get("/down");
      assertThat(down.statusCode()).isEqualTo(502);
      assertThat(down.headers().firstValue("Kong-Request-ID").orElse("")).matches(UUID_COUNTER);
    }
  }

  @Test
  void configIsValidatedAsKongDoes() {
    AdminClient.Reply defaults = admin.post("/plugins", "name=correlation-id");
    assertThat(defaults.status()).isEqualTo(201);
    JsonNode config = defaults.json().path("config");
    assertThat(config.path("header_name").asText()).isEqualTo("Kong-Request-ID");
    assertThat(config.path("generator").asText()).isEqualTo("uuid#counter");
    assertThat(config.path("echo_downstream").asBoolean()).isFalse();
    admin.delete("/plugins/" + defaults.field("id"));

    AdminClient.Reply generator = admin.post("/plugins", "name=correlation-id", "config.generator=random");
    assertThat(generator.status()).isEqualTo(400);
    assertThat(generator.json().path("fields").path("config").path("generator").asText())
        .isEqualTo("expected one of: uuid, uuid#counter, tracker");
    AdminClient.Reply nullGenerator = admin.json("POST", "/plugins",
        "{\"name\":\"correlation-id\",\"config\":{\"generator\":null}}");
    assertThat(nullGenerator.json().path("fields").path("config").path("generator").asText())
        .isEqualTo("required field missing");
    AdminClient.Reply echo = admin.post("/plugins", "name=correlation-id", "config.echo_downstream=maybe");
    assertThat(echo.json().path("fields").path("config").path("echo_downstream").asText())
        .isEqualTo("expected a boolean");
  }
}
