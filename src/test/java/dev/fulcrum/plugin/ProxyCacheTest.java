package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kong's "Get Started" chapter on proxy caching, and the rest of proxy-cache's behaviour. */
class ProxyCacheTest {
  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("mock");
    node = TestNode.start();
    admin = node.admin();
    admin.post("/services", "name=example_service", "url=http://" + backend.target());
    admin.post("/services/example_service/routes", "name=example_route", "paths[]=/mock");
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(node.proxyUrl() + path, headers);
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  /** Waits until the plugin is in force (a change reaches the proxy a moment after its 201). */
  private void awaitCaching(String path) {
    await().atMost(Duration.ofSeconds(10)).until(() -> header(get(path), "X-Cache-Status") != null);
  }

  @Test
  void proxyCachingChapter() {
    AdminClient.Reply plugin = admin.post("/plugins", "name=proxy-cache", "config.request_method=GET",
        "config.response_code=200", "config.content_type=application/json", "config.cache_ttl=30",
        "config.strategy=memory");
    assertThat(plugin.status()).isEqualTo(201);
    assertThat(plugin.json().path("config").path("request_method").toString()).isEqualTo("[\"GET\"]");
    assertThat(plugin.json().path("config").path("memory").path("dictionary_name").asText()).isEqualTo("kong_db_cache");
    awaitCaching("/mock/warm");

    HttpResponse<String> first = get("/mock/anything");
    assertThat(header(first, "X-Cache-Status")).isEqualTo("Miss");
    int hits = backend.hits();
    HttpResponse<String> second = get("/mock/anything");
    assertThat(header(second, "X-Cache-Status")).isEqualTo("Hit");
    assertThat(backend.hits()).as("a hit never reaches the server").isEqualTo(hits);
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(header(second, "Content-Type")).isEqualTo("application/json");
    assertThat(header(second, "X-Cache-Key")).isEqualTo(header(first, "X-Cache-Key")).hasSize(64);
    assertThat(Long.parseLong(header(second, "Age"))).isBetween(0L, 30L);
    // Another query is another entry.
    assertThat(header(get("/mock/anything?a=1"), "X-Cache-Status")).isEqualTo("Miss");
  }

  @Test
  void whatMayNotBeCachedPassesAsBypass() {
    admin.post("/services/example_service/plugins", "name=proxy-cache", "config.strategy=memory",
        "config.content_type=application/json");
    awaitCaching("/mock/warm");
    HttpResponse<String> post = Http.send(HttpRequest.newBuilder(URI.create(node.proxyUrl() + "/mock/p"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build());
    assertThat(header(post, "X-Cache-Status")).isEqualTo("Bypass");
    backend.failWith(500);
    HttpResponse<String> failed = get("/mock/err");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(header(failed, "X-Cache-Status")).isEqualTo("Bypass");
    assertThat(header(get("/mock/err"), "X-Cache-Status")).isEqualTo("Bypass");
  }

  @Test
  void theContentTypeMustMatchWithItsParameters() {
    admin.post("/plugins", "name=proxy-cache", "config.strategy=memory",
        "config.content_type=application/json; charset=utf-8");
    awaitCaching("/mock/warm");
    get("/mock/t");
    assertThat(header(get("/mock/t"), "X-Cache-Status")).isEqualTo("Bypass");
  }

  @Test
  void entriesCanBeReadAndPurgedThroughTheAdminApi() {
    String pluginId = admin.post("/plugins", "name=proxy-cache", "config.strategy=memory",
        "config.content_type=application/json").field("id");
    awaitCaching("/mock/warm");
    String key = header(get("/mock/x"), "X-Cache-Key");
    assertThat(header(get("/mock/x"), "X-Cache-Status")).isEqualTo("Hit");

    AdminClient.Reply entry = admin.get("/proxy-cache/" + key);
    assertThat(entry.status()).isEqualTo(200);
    assertThat(entry.json().path("status").asInt()).isEqualTo(200);
    assertThat(admin.get("/proxy-cache/" + pluginId + "/caches/" + key).status()).isEqualTo(200);
    assertThat(admin.get("/proxy-cache/" + java.util.UUID.randomUUID() + "/caches/" + key).status()).isEqualTo(404);

    assertThat(admin.delete("/proxy-cache/" + key).status()).isEqualTo(204);
    assertThat(admin.get("/proxy-cache/" + key).status()).isEqualTo(404);
    assertThat(admin.delete("/proxy-cache/" + key).status()).isEqualTo(404);
    assertThat(header(get("/mock/x"), "X-Cache-Status")).isEqualTo("Miss");

    assertThat(header(get("/mock/x"), "X-Cache-Status")).isEqualTo("Hit");
    assertThat(admin.delete("/proxy-cache/" + pluginId + "/caches/" + key).status()).isEqualTo(204);
    assertThat(header(get("/mock/x"), "X-Cache-Status")).isEqualTo("Miss");
    assertThat(admin.delete("/proxy-cache").status()).isEqualTo(204);
    assertThat(header(get("/mock/x"), "X-Cache-Status")).isEqualTo("Miss");
  }

  @Test
  void aStaleEntryIsRefreshed() throws InterruptedException {
    admin.post("/plugins", "name=proxy-cache", "config.strategy=memory", "config.content_type=application/json",
        "config.cache_ttl=1", "config.storage_ttl=60");
    awaitCaching("/mock/warm");
    get("/mock/s");
    assertThat(header(get("/mock/s"), "X-Cache-Status")).isEqualTo("Hit");
    Thread.sleep(2100);
    assertThat(header(get("/mock/s"), "X-Cache-Status")).isEqualTo("Refresh");
    assertThat(header(get("/mock/s"), "X-Cache-Status")).isEqualTo("Hit");
  }

  @Test
  void configurationIsValidatedAsKongDoes() {
    AdminClient.Reply noStrategy = admin.post("/plugins", "name=proxy-cache");
    assertThat(noStrategy.status()).isEqualTo(400);
    assertThat(noStrategy.json().path("fields").path("config").path("strategy").asText())
        .isEqualTo("required field missing");
    AdminClient.Reply dict = admin.post("/plugins", "name=proxy-cache", "config.strategy=memory",
        "config.memory.dictionary_name=nope");
    assertThat(dict.json().path("fields").path("@entity").get(0).asText()).isEqualTo("missing shared dict 'nope'");
    AdminClient.Reply method = admin.post("/plugins", "name=proxy-cache", "config.strategy=memory",
        "config.request_method=DELETE");
    assertThat(method.status()).isEqualTo(400);
  }
}
