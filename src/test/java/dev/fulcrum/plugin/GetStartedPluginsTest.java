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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's "Get Started" chapters on rate limiting and key authentication, with the guide's own
 * Admin API calls, then the behaviour around them (scopes, validation, anonymous, hiding).
 */
class GetStartedPluginsTest {
  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("mock");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=example_service", "url=http://" + backend.target()).status())
        .isEqualTo(201);
    assertThat(admin.post("/services/example_service/routes", "name=example_route", "paths[]=/mock").status())
        .isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(node.proxyUrl() + path, headers);
  }

  /** Waits until the proxy answers {@code status} (a change reaches the proxy a moment after its 201). */
  private void awaitStatus(String path, int status, String... headers) {
    await().atMost(Duration.ofSeconds(10)).until(() -> get(path, headers).statusCode() == status);
  }

  @Test
  void rateLimitingChapter() {
    AdminClient.Reply plugin = admin.post("/plugins", "name=rate-limiting", "config.minute=5", "config.policy=local");
    assertThat(plugin.status()).isEqualTo(201);
    JsonNode config = plugin.json().path("config");
    assertThat(config.path("minute").asDouble()).isEqualTo(5);
    assertThat(config.path("limit_by").asText()).isEqualTo("consumer");
    assertThat(config.path("error_code").asInt()).isEqualTo(429);
    assertThat(plugin.json().path("enabled").asBoolean()).isTrue();
    assertThat(plugin.json().path("protocols")).hasSize(4);

    await().atMost(Duration.ofSeconds(10))
        .until(() -> get("/mock/anything").headers().firstValue("X-RateLimit-Limit-Minute").isPresent());
    // Which request of the minute the first one was depends on when the plugin arrived: count
    // from the remaining the server reports.
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 6; i++) {
      last = get("/mock/anything");
      statuses.add(last.statusCode());
    }
    assertThat(statuses).contains(429);
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(Http.json(last).path("message").asText()).isEqualTo("API rate limit exceeded");
    assertThat(last.headers().firstValue("X-RateLimit-Limit-Minute")).hasValue("5");
    assertThat(last.headers().firstValue("X-RateLimit-Remaining-Minute")).hasValue("0");
    assertThat(last.headers().firstValue("RateLimit-Limit")).hasValue("5");
    long retryAfter = Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(last.headers().firstValue("RateLimit-Reset")).hasValue(Long.toString(retryAfter));
  }

  @Test
  void rateLimitingCountsDownThenRefusesWithoutCountingTheRefusal() {
    admin.post("/services/example_service/plugins", "name=rate-limiting", "config.hour=3");
    awaitStatus("/mock/x", 200);
    // The await above may have used some of the hour: read the remaining and use it all.
    HttpResponse<String> r = get("/mock/x");
    int remaining = Integer.parseInt(r.headers().firstValue("X-RateLimit-Remaining-Hour").orElseThrow());
    for (int i = remaining; i > 0; i--) {
      r = get("/mock/x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-RateLimit-Remaining-Hour")).hasValue(Integer.toString(i - 1));
    }
    for (int i = 0; i < 3; i++) {
      assertThat(get("/mock/x").statusCode()).isEqualTo(429);
    }
    // A route of another service has its own count.
    admin.post("/services", "name=other", "url=http://" + backend.target());
    admin.post("/services/other/routes", "paths[]=/other");
    awaitStatus("/other", 200);
  }

  @Test
  void keyAuthenticationChapter() {
    assertThat(admin.post("/services/example_service/plugins", "name=key-auth").status()).isEqualTo(201);
    AdminClient.Reply luka = admin.post("/consumers", "username=luka");
    assertThat(luka.status()).isEqualTo(201);
    AdminClient.Reply key = admin.post("/consumers/luka/key-auth", "key=top-secret-key");
    assertThat(key.status()).isEqualTo(201);
    assertThat(key.json().path("consumer").path("id").asText()).isEqualTo(luka.field("id"));
    assertThat(admin.get("/").json().at("/plugins/enabled_in_cluster").toString()).isEqualTo("[\"key-auth\"]");

    awaitStatus("/mock/anything", 401);
    HttpResponse<String> none = get("/mock/anything");
    assertThat(Http.json(none).path("message").asText()).isEqualTo("No API key found in request");
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Key");

    awaitStatus("/mock/anything", 200, "apikey", "top-secret-key");
    JsonNode seen = Http.json(get("/mock/anything", "apikey", "top-secret-key")).path("headers");
    assertThat(seen.path("x-consumer-username").asText()).isEqualTo("luka");
    assertThat(seen.path("x-consumer-id").asText()).isEqualTo(luka.field("id"));
    assertThat(seen.path("x-credential-identifier").asText()).isEqualTo(key.field("id"));
    assertThat(seen.path("apikey").asText()).isEqualTo("top-secret-key");

    HttpResponse<String> wrong = get("/mock/anything", "apikey", "nope");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(Http.json(wrong).path("message").asText()).isEqualTo("Unauthorized");
    assertThat(get("/mock/anything?apikey=top-secret-key").statusCode()).isEqualTo(200);
    assertThat(get("/mock/anything?apikey=a&apikey=b").statusCode()).isEqualTo(401);
  }

  @Test
  void aKeyIsGeneratedHiddenFromTheServerAndAnonymousLetsOthersThrough() {
    admin.post("/consumers", "username=guest");
    AdminClient.Reply luka = admin.post("/consumers", "username=luka", "custom_id=L1");
    String generated = admin.post("/consumers/luka/key-auth").field("key");
    assertThat(generated).hasSize(32);
    admin.post("/routes/example_route/plugins", "name=key-auth", "config.hide_credentials=true",
        "config.anonymous=guest");
    awaitStatus("/mock/q?apikey=" + generated + "&keep=1", 200);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        Http.json(get("/mock/q?apikey=" + generated + "&keep=1")).path("headers").has("x-consumer-custom-id"));
    JsonNode seen = Http.json(get("/mock/q?apikey=" + generated + "&keep=1"));
    assertThat(seen.path("uri").asText()).isEqualTo("/q?keep=1");
    assertThat(seen.path("headers").path("x-consumer-custom-id").asText()).isEqualTo("L1");
    assertThat(seen.path("headers").path("x-consumer-id").asText()).isEqualTo(luka.field("id"));

    JsonNode anonymous = Http.json(get("/mock/q")).path("headers");
    assertThat(anonymous.path("x-consumer-username").asText()).isEqualTo("guest");
    assertThat(anonymous.path("x-anonymous-consumer").asText()).isEqualTo("true");
    assertThat(anonymous.has("x-credential-identifier")).isFalse();
  }

  @Test
  void aConsumersOwnRateLimitAppliesAfterAuthentication() {
    admin.post("/plugins", "name=key-auth");
    admin.post("/consumers", "username=gold");
    admin.post("/consumers", "username=basic");
    admin.post("/consumers/gold/key-auth", "key=gold-key");
    admin.post("/consumers/basic/key-auth", "key=basic-key");
    admin.post("/plugins", "name=rate-limiting", "config.hour=100");
    assertThat(admin.post("/consumers/gold/plugins", "name=rate-limiting", "config.hour=1000").status())
        .isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        get("/mock", "apikey", "gold-key").headers().firstValue("X-RateLimit-Limit-Hour").orElse("").equals("1000"));
    assertThat(get("/mock", "apikey", "basic-key").headers().firstValue("X-RateLimit-Limit-Hour")).hasValue("100");
  }

  @Test
  void pluginEntitiesAreValidatedAsKongDoes() {
    AdminClient.Reply unknown = admin.post("/plugins", "name=no-such-plugin");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().path("fields").path("name").asText())
        .isEqualTo("plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property");

    AdminClient.Reply noLimit = admin.post("/plugins", "name=rate-limiting");
    assertThat(noLimit.status()).isEqualTo(400);
    assertThat(noLimit.json().path("fields").path("@entity").get(0).asText()).isEqualTo(
        "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', "
            + "'config.day', 'config.month', 'config.year'");

    AdminClient.Reply order = admin.post("/plugins", "name=rate-limiting", "config.minute=10", "config.hour=5");
    assertThat(order.json().path("fields").path("@entity").get(0).asText())
        .isEqualTo("The limit for hour(5.0) cannot be lower than the limit for minute(10.0)");

    AdminClient.Reply badField = admin.post("/plugins", "name=rate-limiting", "config.minute=-1", "config.nope=1");
    assertThat(badField.json().path("fields").path("config").path("minute").asText())
        .isEqualTo("value must be greater than 0");
    assertThat(badField.json().path("fields").path("config").path("nope").asText()).isEqualTo("unknown field");

    AdminClient.Reply consumerScoped = admin.post("/consumers", "username=c");
    AdminClient.Reply keyAuthOnConsumer = admin.post("/consumers/c/plugins", "name=key-auth");
    assertThat(keyAuthOnConsumer.status()).isEqualTo(400);
    assertThat(keyAuthOnConsumer.json().path("fields").path("consumer").asText()).isEqualTo("value must be null");
    assertThat(consumerScoped.status()).isEqualTo(201);

    AdminClient.Reply noName = admin.post("/consumers", "tags[]=x");
    assertThat(noName.json().path("fields").path("@entity").get(0).asText())
        .isEqualTo("at least one of these fields must be non-empty: 'custom_id', 'username'");

    assertThat(admin.post("/plugins", "name=key-auth").status()).isEqualTo(201);
    AdminClient.Reply twice = admin.post("/plugins", "name=key-auth");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(admin.post("/services/example_service/plugins", "name=key-auth").status()).isEqualTo(201);

    assertThat(admin.get("/plugins/enabled").json().path("enabled_plugins").toString())
        .contains("key-auth", "rate-limiting");
    assertThat(admin.get("/services/example_service/plugins").json().path("data")).hasSize(1);
    assertThat(admin.get("/plugins").json().path("data")).hasSize(2);
  }

  @Test
  void deletingAConsumerDeletesItsCredentialsAndPlugins() {
    admin.post("/consumers", "username=luka");
    admin.post("/consumers/luka/key-auth", "key=k1");
    admin.post("/consumers/luka/plugins", "name=rate-limiting", "config.second=5");
    assertThat(admin.get("/key-auths/k1/consumer").field("username")).isEqualTo("luka");
    assertThat(admin.delete("/consumers/luka").status()).isEqualTo(204);
    assertThat(admin.get("/key-auths").json().path("data")).isEmpty();
    assertThat(admin.get("/plugins").json().path("data")).isEmpty();
  }

  @Test
  void hashOnConsumerKeepsEachConsumerOnOneTarget() {
    try (Backend two = Backend.start("two")) {
      admin.post("/upstreams", "name=u", "hash_on=consumer", "hash_fallback=none");
      admin.post("/upstreams/u/targets", "target=" + backend.target());
      admin.post("/upstreams/u/targets", "target=" + two.target());
      admin.patch("/services/example_service", "host=u", "port=80", "protocol=http");
      admin.post("/plugins", "name=key-auth");
      for (int c = 0; c < 20; c++) {
        admin.post("/consumers", "username=c" + c);
        admin.post("/consumers/c" + c + "/key-auth", "key=key" + c);
      }
      awaitStatus("/mock", 200, "apikey", "key19");
      java.util.Set<String> all = new java.util.HashSet<>();
      for (int c = 0; c < 20; c++) {
        java.util.Set<String> servers = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) {
          servers.add(Http.json(get("/mock", "apikey", "key" + c)).path("server").asText());
        }
        assertThat(servers).as("consumer c" + c).hasSize(1);
        all.addAll(servers);
      }
      // From one client address, only the consumer can spread them over both targets.
      assertThat(all).containsExactlyInAnyOrder("mock", "two");
    }
  }

  @Test
  void aRegexPathWithPcreNamedGroupsRoutes() {
    AdminClient.Reply route = admin.post("/services/example_service/routes", "paths[]=~/users/(?P<id>\\d+)$");
    assertThat(route.status()).as(route.text()).isEqualTo(201);
    awaitStatus("/users/42", 200);
    assertThat(get("/users/x").statusCode()).isEqualTo(404);
  }
}
