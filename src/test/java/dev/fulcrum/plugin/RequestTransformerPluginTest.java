package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's request-transformer through a node: headers, query string, path and method as the server
 * receives them, and Kong's validation (spec/03-plugins/36-request-transformer).
 */
class RequestTransformerPluginTest {
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

  /** A route at {@code path} with a request-transformer configured by {@code config} (JSON). */
  private void transform(String path, String config) {
    String name = path.substring(1);
    assertThat(admin.post("/services/s/routes", "name=" + name, "paths[]=" + path).status()).isEqualTo(201);
    AdminClient.Reply r = admin.json("POST", "/routes/" + name + "/plugins",
        "{\"name\":\"request-transformer\",\"config\":" + config + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  /** What the server received for {@code path} (routes strip their path, as Kong's do by default). */
  private JsonNode seen(String path, String... headers) {
    HttpResponse<String> r = Http.get(node.proxyUrl() + path, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  private void awaitReady(String path) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + path).statusCode() == 200);
  }

  @Test
  void transformsHeadersInKongsOrder() {
    transform("/h", """
        {"remove": {"headers": ["x-gone", "x-renamed-away:ignored"]},
         "rename": {"headers": ["x-old:x-new", "x-absent:x-never"]},
         "replace": {"headers": ["x-replace:replaced", "x-missing:never", "x-new:after-rename"]},
         "add": {"headers": ["x-added:a1", "x-keep:not-used", "x-gone:back"]},
         "append": {"headers": ["x-list:two", "x-fresh:f1"]}}""");
    awaitReady("/h");
    JsonNode h = seen("/h", "X-Gone", "1", "X-Renamed-Away", "1", "X-Old", "old", "X-Replace", "orig",
        "X-Keep", "kept", "X-List", "one").path("headers");
    assertThat(h.has("x-renamed-away")).isFalse();
    assertThat(h.has("x-old")).isFalse();
    assertThat(h.has("x-never")).isFalse();
    assertThat(h.has("x-missing")).isFalse();
    // rename runs before replace, so the renamed header is there to replace
    assertThat(h.path("x-new").asText()).isEqualTo("after-rename");
    assertThat(h.path("x-replace").asText()).isEqualTo("replaced");
    assertThat(h.path("x-added").asText()).isEqualTo("a1");
    assertThat(h.path("x-keep").asText()).isEqualTo("kept");
    // add runs after remove: a removed header is added back
    assertThat(h.path("x-gone").asText()).isEqualTo("back");
    assertThat(h.path("x-list").asText()).isEqualTo("one, two");
    assertThat(h.path("x-fresh").asText()).isEqualTo("f1");
  }

  @Test
  void transformsTheQueryStringSorted() {
    transform("/q", """
        {"remove": {"querystring": ["drop"]},
         "rename": {"querystring": ["old:new"]},
         "replace": {"querystring": ["rep:r2", "nope:x"]},
         "add": {"querystring": ["added:a b", "keep:other"]},
         "append": {"querystring": ["list:2", "fresh:f"]}}""");
    awaitReady("/q");
    JsonNode seen = seen("/q/p?keep=k&drop=1&old=o&rep=r1&list=1&flag");
    assertThat(seen.path("uri").asText())
        .isEqualTo("/p?added=a%20b&flag&fresh=f&keep=k&list=1&list=2&new=o&rep=r2");
  }

  @Test
  void leavesTheQueryAloneWithoutQueryOperations() {
    transform("/n", "{\"add\": {\"headers\": [\"x-a:1\"]}}");
    awaitReady("/n");
    assertThat(seen("/n/p?b=2&a=1&a").path("uri").asText()).isEqualTo("/p?b=2&a=1&a");
  }

  @Test
  void replacesThePathKeepingTheQueryAndSetsTheMethod() {
    transform("/u", """
        {"http_method": "POST", "replace": {"uri": "/elsewhere/x y"}}""");
    awaitReady("/u");
    JsonNode seen = seen("/u/anything?a=1");
    assertThat(seen.path("uri").asText()).isEqualTo("/elsewhere/x%20y?a=1");
    assertThat(seen.path("method").asText()).isEqualTo("POST");
  }

  @Test
  void refusesWhatKongRefuses() {
    assertThat(admin.post("/services/s/routes", "name=v", "paths[]=/v").status()).isEqualTo(201);
    assertThat(error("{\"http_method\": \"HELLO!\"}").path("config").path("http_method").asText())
        .isEqualTo("invalid value: HELLO!");
    assertThat(error("{\"add\": {\"querystring\": [\"p2:\"]}}").path("config").path("add").path("querystring").get(0)
        .asText()).isEqualTo("key 'p2' has no value");
    assertThat(error("{\"add\": {\"headers\": [\"novalue\"]}}").path("config").path("add").path("headers").get(0)
        .asText()).isEqualTo("invalid value: novalue");
    assertThat(error("{\"append\": {\"headers\": [\"bad name:v\"]}}").path("config").path("append").path("headers")
        .get(0).asText()).isEqualTo("'bad name' is not a valid header");
    assertThat(error("{\"rename\": {\"headers\": [\"x-test:not a header name\"]}}").path("config").path("rename")
        .path("headers").get(0).asText()).isEqualTo("'not a header name' is not a valid header");
    assertThat(error("{\"replace\": {\"headers\": [\"x-test:bad\\rvalue\"]}}").path("config").path("replace")
        .path("headers").get(0).asText()).startsWith("invalid value");
    assertThat(error("{\"add\": {\"querystring\": [\"p:$(uri_captures.user)\"]}}").path("config").path("add")
        .path("querystring").get(0).asText()).contains("not available in this version");
    assertThat(error("{\"add\": {\"body\": [\"p:v\"]}}").path("config").path("add").path("body").asText())
        .isEqualTo("body transformation is not available in this version");

    AdminClient.Reply ok = admin.json("POST", "/routes/v/plugins", """
        {"name":"request-transformer","config":{"add":{"headers":["X-Test:a value with spaces; and punctuation!"]}}}""");
    assertThat(ok.status()).as(ok.text()).isEqualTo(201);
    JsonNode config = ok.json().path("config");
    assertThat(config.path("remove").path("body").isArray()).isTrue();
    assertThat(config.path("replace").has("uri")).isTrue();
    assertThat(config.path("append").path("querystring").isEmpty()).isTrue();
    assertThat(ok.json().path("protocols").toString()).isEqualTo("[\"grpc\",\"grpcs\",\"http\",\"https\"]");
  }

  private JsonNode error(String config) {
    AdminClient.Reply r = admin.json("POST", "/routes/v/plugins", "{\"name\":\"request-transformer\",\"config\":" + config + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    return r.json().path("fields");
  }
}
