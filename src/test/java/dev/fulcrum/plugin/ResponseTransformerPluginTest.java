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
 * Kong's response-transformer through a node: the response headers the client gets, also on the
 * gateway's own answers, and Kong's validation (spec/03-plugins/15-response-transformer).
 */
class ResponseTransformerPluginTest {
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

  private void plugin(String route, String name, String config) {
    AdminClient.Reply r = admin.json("POST", "/routes/" + route + "/plugins",
        "{\"name\":\"" + name + "\",\"config\":" + config + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  private void route(String path) {
    assertThat(admin.post("/services/s/routes", "name=" + path.substring(1), "paths[]=" + path).status()).isEqualTo(201);
  }

  @Test
  void transformsResponseHeadersInKongsOrder() {
    route("/h");
    plugin("h", "response-transformer", """
        {"remove": {"headers": ["x-gone", "x-old"]},
         "rename": {"headers": ["x-old:x-new", "x-absent:x-never"]},
         "replace": {"headers": ["x-backend:replaced", "x-missing:never"]},
         "add": {"headers": ["x-added:a1", "x-keep:not-used"]},
         "append": {"headers": ["x-list:two", "x-fresh:f1"]}}""");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Http.get(node.proxyUrl() + "/h").headers().firstValue("x-added").isPresent());
    HttpResponse<String> r = Http.get(node.proxyUrl() + "/h/p?response_header=X-Gone:1&response_header=X-Old:old"
        + "&response_header=X-Keep:kept&response_header=X-List:one");
    assertThat(r.statusCode()).isEqualTo(200);
    var h = r.headers();
    assertThat(h.firstValue("x-gone")).isEmpty();
    assertThat(h.firstValue("x-old")).isEmpty();
    // rename tests the headers as they came: removing x-old first does not stop it
    assertThat(h.firstValue("x-new")).hasValue("old");
    assertThat(h.firstValue("x-never")).isEmpty();
    assertThat(h.firstValue("x-backend")).hasValue("replaced");
    assertThat(h.firstValue("x-missing")).isEmpty();
    assertThat(h.firstValue("x-added")).hasValue("a1");
    assertThat(h.allValues("x-keep")).containsExactly("kept");
    assertThat(h.allValues("x-list")).containsExactly("one", "two");
    assertThat(h.allValues("x-fresh")).containsExactly("f1");
    assertThat(Http.json(r).path("server").asText()).isEqualTo("rt");
  }

  @Test
  void alsoTransformsTheGatewaysOwnAnswers() {
    route("/t");
    plugin("t", "response-transformer", "{\"add\": {\"headers\": [\"x-added:yes\"]}}");
    plugin("t", "request-termination", "{\"status_code\": 418, \"message\": \"no\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/t").statusCode() == 418);
    HttpResponse<String> r = Http.get(node.proxyUrl() + "/t");
    assertThat(r.headers().firstValue("x-added")).hasValue("yes");
    assertThat(backend.hits()).isZero();
  }

  @Test
  void refusesWhatKongRefuses() {
    route("/v");
    assertThat(error("{\"add\": {\"headers\": [\"novalue\"]}}").path("config").path("add").path("headers").get(0)
        .asText()).isEqualTo("invalid value: novalue");
    assertThat(error("{\"rename\": {\"headers\": [\"x-a:not valid\"]}}").path("config").path("rename")
        .path("headers").get(0).asText()).isEqualTo("'not valid' is not a valid header");
    assertThat(error("{\"append\": {\"json_types\": [\"object\"]}}").path("config").path("append")
        .path("json_types").get(0).asText()).isEqualTo("expected one of: boolean, number, string");
    assertThat(error("{\"add\": {\"json\": [\"k:v\"]}}").path("config").path("add").path("json").asText())
        .isEqualTo("body transformation is not available in this version");

    AdminClient.Reply ok = admin.json("POST", "/routes/v/plugins",
        "{\"name\":\"response-transformer\",\"config\":{\"append\":{\"json_types\":[\"number\"]}}}");
    assertThat(ok.status()).as(ok.text()).isEqualTo(201);
    JsonNode config = ok.json().path("config");
    assertThat(config.path("remove").path("json").isArray()).isTrue();
    assertThat(config.path("replace").path("json_types").isArray()).isTrue();
    assertThat(config.path("rename").has("json_types")).isFalse();
    assertThat(config.path("append").path("json_types").toString()).isEqualTo("[\"number\"]");
  }

  private JsonNode error(String config) {
    AdminClient.Reply r = admin.json("POST", "/routes/v/plugins", "{\"name\":\"response-transformer\",\"config\":" + config + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(400);
    return r.json().path("fields");
  }
}
