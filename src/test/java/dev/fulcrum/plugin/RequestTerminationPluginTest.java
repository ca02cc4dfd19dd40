package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PluginRoutes;
import dev.fulcrum.testing.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's request-termination through a node: its answers (status, message or body, content type),
 * trigger, echo, scoping, and Kong's validation (spec/03-plugins/14-request-termination).
 */
class RequestTerminationPluginTest {
  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("rt");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=s", "url=http://" + backend.target()).status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(node.proxyUrl() + path, headers);
  }

  /** A route at {@code path} with a request-termination configured by {@code config}. */
  private void terminate(String path, String... config) {
    PluginRoutes.add(admin, "s", path, "request-termination", config);
  }

  private void awaitStatus(String path, int status, String... headers) {
    await().atMost(Duration.ofSeconds(10)).until(() -> get(path, headers).statusCode() == status);
  }

  @Test
  void answersWithKongsMessagesStatusesAndBodies() {
    admin.post("/services/s/routes", "name=open", "paths[]=/open");
    terminate("/plain");
    terminate("/notfound", "config.status_code=404");
    terminate("/custom", "config.status_code=406", "config.message=Invalid");
    terminate("/html", "config.status_code=451", "config.content_type=text/html",
        "config.body=<html><body><h1>Gone</h1></body></html>");
    terminate("/raw", "config.body={\"code\": 1, \"message\": \"Service unavailable\"}");
    terminate("/nocontent", "config.status_code=204");
    terminate("/teapot", "config.status_code=418");
    awaitStatus("/teapot", 418);
    int hits = backend.hits();

    HttpResponse<String> plain = get("/plain/status/200");
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(Http.json(plain).toString()).isEqualTo("{\"message\":\"Service unavailable\"}");
    assertThat(plain.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    assertThat(plain.headers().firstValue("Server").orElse("")).startsWith("fulcrum/");
    assertThat(plain.headers().firstValue("X-Kong-Response-Latency")).isPresent();

    assertThat(Http.json(get("/notfound")).path("message").asText()).isEqualTo("Not found");
    HttpResponse<String> custom = get("/custom");
    assertThat(custom.statusCode()).isEqualTo(406);
    assertThat(Http.json(custom).toString()).isEqualTo("{\"message\":\"Invalid\"}");

    HttpResponse<String> html = get("/html");
    assertThat(html.statusCode()).isEqualTo(451);
    assertThat(html.body()).isEqualTo("<html><body><h1>Gone</h1></body></html>");
    assertThat(html.headers().firstValue("Content-Type")).hasValue("text/html");

    HttpResponse<String> raw = get("/raw");
    assertThat(raw.statusCode()).isEqualTo(503);
    assertThat(Http.json(raw).path("code").asInt()).isEqualTo(1);
    // A body without content_type goes without Content-Type (Kong's default_type is empty).
    assertThat(raw.headers().firstValue("Content-Type")).isEmpty();

    HttpResponse<String> noContent = get("/nocontent");
    assertThat(noContent.statusCode()).isEqualTo(204);
    assertThat(noContent.headers().firstValue("Content-Length")).isEmpty();

    // No words for 418: an empty body.
    HttpResponse<String> teapot = get("/teapot");
    assertThat(teapot.body()).isEmpty();
    assertThat(teapot.headers().firstValue("Content-Length")).hasValue("0");

    assertThat(backend.hits()).isEqualTo(hits);
    assertThat(get("/open").statusCode()).isEqualTo(200);
    assertThat(backend.hits()).isEqualTo(hits + 1);
  }

  @Test
  void aTriggerTerminatesOnlyTheRequestsThatCarryIt() {
    terminate("/debug", "config.trigger=gimme-an-echo", "config.status_code=404");
    awaitStatus("/debug", 404, "Gimme-An-Echo", "x");
    assertThat(get("/debug").statusCode()).isEqualTo(200);
    assertThat(get("/debug?other=1").statusCode()).isEqualTo(200);
    assertThat(get("/debug?gimme-an-echo").statusCode()).isEqualTo(404);
    HttpResponse<String> byQuery = get("/debug?a=1&gimme-an-echo=yes");
    assertThat(byQuery.statusCode()).isEqualTo(404);
    assertThat(Http.json(byQuery).path("message").asText()).isEqualTo("Not found");
  }

  @Test
  void echoDescribesTheRequest() {
    terminate("/echo", "config.echo=true", "config.status_code=404", "config.trigger=gimme-an-echo");
    awaitStatus("/echo/status/200?hello=there&flag&gimme-an-echo", 404);
    HttpResponse<String> r = get("/echo/status/200?hello=there&flag&two=1&two=2&gimme-an-echo", "X-Thing", "a");
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
    JsonNode json = Http.json(r);
    assertThat(json.path("message").asText()).isEqualTo("Not found");
    JsonNode request = json.path("request");
    assertThat(request.path("method").asText()).isEqualTo("GET");
    assertThat(request.path("path").asText()).isEqualTo("/echo/status/200");
    assertThat(request.path("scheme").asText()).isEqualTo("http");
    assertThat(request.path("host").asText()).isEqualTo("127.0.0.1");
    assertThat(request.path("port").asInt()).isEqualTo(node.proxyPort());
    assertThat(request.path("query").path("hello").asText()).isEqualTo("there");
    assertThat(request.path("query").path("flag").asBoolean()).isTrue();
    assertThat(request.path("query").path("two").toString()).isEqualTo("[\"1\",\"2\"]");
    assertThat(request.path("headers").path("x-thing").asText()).isEqualTo("a");
    // Without its trigger the request goes to the server.
    assertThat(get("/echo/x").statusCode()).isEqualTo(200);
  }

  @Test
  void scopedToAServiceOrAConsumer() {
    admin.post("/services/s/routes", "name=a", "paths[]=/a");
    admin.post("/services", "name=other", "url=http://" + backend.target());
    admin.post("/services/other/routes", "name=b", "paths[]=/b");
    assertThat(admin.post("/services/s/plugins", "name=request-termination", "config.status_code=405").status())
        .isEqualTo(201);
    awaitStatus("/a", 405);
    assertThat(Http.json(get("/a")).path("message").asText()).isEqualTo("Method not allowed");
    assertThat(get("/b").statusCode()).isEqualTo(200);

    // A consumer blocked on its own: Kong's way to lock one client out.
    admin.post("/routes/b/plugins", "name=key-auth");
    admin.post("/consumers", "username=blocked");
    admin.post("/consumers", "username=fine");
    admin.post("/consumers/blocked/key-auth", "key=k-blocked");
    admin.post("/consumers/fine/key-auth", "key=k-fine");
    assertThat(admin.post("/consumers/blocked/plugins", "name=request-termination", "config.status_code=401",
        "config.message=go away").status()).isEqualTo(201);
    awaitStatus("/b", 401, "apikey", "k-blocked");
    HttpResponse<String> blocked = get("/b", "apikey", "k-blocked");
    assertThat(Http.json(blocked).path("message").asText()).isEqualTo("go away");
    assertThat(get("/b", "apikey", "k-fine").statusCode()).isEqualTo(200);
  }

  @Test
  void configIsValidatedAsKongDoes() {
    AdminClient.Reply defaults = admin.post("/plugins", "name=request-termination");
    assertThat(defaults.status()).isEqualTo(201);
    JsonNode config = defaults.json().path("config");
    assertThat(config.path("status_code").asInt()).isEqualTo(503);
    assertThat(config.path("echo").asBoolean()).isFalse();
    assertThat(config.path("message").isNull()).isTrue();
    assertThat(config.path("trigger").isNull()).isTrue();
    assertThat(defaults.json().path("protocols").toString()).isEqualTo("[\"grpc\",\"grpcs\",\"http\",\"https\"]");
    admin.delete("/plugins/" + defaults.field("id"));

    assertThat(configError("config.status_code=99").path("status_code").asText())
        .isEqualTo("value should be between 100 and 599");
    assertThat(configError("config.status_code=600").path("status_code").asText())
        .isEqualTo("value should be between 100 and 599");
    assertThat(configError("config.status_code=abcd").path("status_code").asText()).isEqualTo("expected an integer");
    AdminClient.Reply nullStatus = admin.json("POST", "/plugins",
        "{\"name\":\"request-termination\",\"config\":{\"status_code\":null}}");
    assertThat(nullStatus.json().path("fields").path("config").path("status_code").asText())
        .isEqualTo("required field missing");
    assertThat(configError("config.message=error", "config.body=test").asText())
        .isEqualTo("message cannot be used with content_type or body");
    assertThat(configError("config.message=error", "config.content_type=text/html").asText())
        .isEqualTo("message cannot be used with content_type or body");
    assertThat(configError("config.content_type=text/html").asText()).isEqualTo("content_type requires a body");
    assertThat(configError("config.echo=true", "config.body=x").asText())
        .isEqualTo("echo cannot be used with content_type and body");
    assertThat(configError("config.trigger=not a header").path("trigger").asText())
        .isEqualTo("bad header name 'not a header', allowed characters are A-Z, a-z, 0-9, '_', and '-'");
    AdminClient.Reply summary = admin.post("/plugins", "name=request-termination", "config.content_type=text/html");
    assertThat(summary.field("message")).isEqualTo("schema violation (config: content_type requires a body)");
    // An empty form value means null; in JSON an empty string is refused.
    assertThat(admin.post("/routes", "name=empty", "paths[]=/empty").status()).isEqualTo(201);
    AdminClient.Reply empty = admin.json("POST", "/routes/empty/plugins",
        "{\"name\":\"request-termination\",\"config\":{\"message\":\"\"}}");
    assertThat(empty.json().path("fields").path("config").path("message").asText())
        .isEqualTo("length must be at least 1");
  }

  /** The {@code fields.config} of a refused request-termination. */
  private JsonNode configError(String... config) {
    String[] fields = PluginRoutes.fields("request-termination", config);
    AdminClient.Reply r = admin.post("/plugins", fields);
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    return r.json().path("fields").path("config");
  }

  @Test
  void headRequestsGetTheHeadOnly() throws Exception {
    terminate("/h", "config.status_code=404");
    awaitStatus("/h", 404);
    HttpResponse<String> head = Http.send(HttpRequest.newBuilder(URI.create(node.proxyUrl() + "/h"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
    assertThat(head.statusCode()).isEqualTo(404);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Length"))
        .hasValue(Integer.toString("{\"message\":\"Not found\"}".length()));
  }
}
