package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * rate-limiting's redis policy against a real Redis (FULCRUM_TEST_REDIS, default 127.0.0.1:6379;
 * .ci/run starts one): nodes that share the server share the limit; a server that cannot be
 * reached lets traffic through or answers 500, as fault_tolerant says.
 */
class RedisRateLimitingTest {
  private static final String REDIS = System.getenv().getOrDefault("FULCRUM_TEST_REDIS", "127.0.0.1:6379");
  private static final String HOST = REDIS.substring(0, REDIS.lastIndexOf(':'));
  private static final String PORT = REDIS.substring(REDIS.lastIndexOf(':') + 1);

  private Backend backend;
  private TestNode a;
  private TestNode b;

  @BeforeEach
  void setUp() {
    backend = Backend.start("mock");
    a = TestNode.start();
    b = TestNode.start();
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
    backend.close();
  }

  /** The same service, route (same id, so the same Redis keys) and plugin on a node. */
  private void configure(TestNode node, String routeId, String... pluginFields) {
    AdminClient admin = node.admin();
    admin.post("/services", "name=s", "url=http://" + backend.target());
    assertThat(admin.post("/services/s/routes", "id=" + routeId, "paths[]=/limited").status()).isEqualTo(201);
    String[] fields = new String[pluginFields.length + 1];
    fields[0] = "name=rate-limiting";
    System.arraycopy(pluginFields, 0, fields, 1, pluginFields.length);
    assertThat(admin.post("/routes/" + routeId + "/plugins", fields).status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Http.get(node.proxyUrl() + "/limited").headers().firstValue("X-RateLimit-Limit-Hour").isPresent());
  }

  @Test
  void twoNodesOnOneRedisShareOneLimit() throws InterruptedException {
    String route = UUID.randomUUID().toString();
    configure(a, route, "config.hour=1000", "config.policy=redis", "config.redis.host=" + HOST, "config.redis.port=" + PORT);
    configure(b, route, "config.hour=1000", "config.policy=redis", "config.redis.host=" + HOST, "config.redis.port=" + PORT);
    // Both waits above counted against the hour: the remaining a node reports includes them.
    int remaining = Integer.parseInt(Http.get(a.proxyUrl() + "/limited").headers()
        .firstValue("X-RateLimit-Remaining-Hour").orElseThrow());
    Thread.sleep(50);
    int fromB = Integer.parseInt(Http.get(b.proxyUrl() + "/limited").headers()
        .firstValue("X-RateLimit-Remaining-Hour").orElseThrow());
    assertThat(fromB).as("b sees a's requests").isEqualTo(remaining - 1);
  }

  @Test
  void theLimitHoldsAcrossNodesExactly() throws InterruptedException {
    String route = UUID.randomUUID().toString();
    configure(a, route, "config.hour=1000", "config.policy=redis", "config.redis.host=" + HOST, "config.redis.port=" + PORT);
    configure(b, route, "config.hour=1000", "config.policy=redis", "config.redis.host=" + HOST, "config.redis.port=" + PORT);
    int left = Integer.parseInt(Http.get(a.proxyUrl() + "/limited").headers()
        .firstValue("X-RateLimit-Remaining-Hour").orElseThrow());
    // Use up the hour but for a few, then alternate nodes: exactly `left` more pass in all.
    int passed = 0;
    int refused = 0;
    for (int i = 0; i < left + 6; i++) {
      TestNode n = i % 2 == 0 ? a : b;
      int status = Http.get(n.proxyUrl() + "/limited").statusCode();
      if (status == 200) {
        passed++;
      } else {
        assertThat(status).isEqualTo(429);
        refused++;
      }
      Thread.sleep(5); // Increments are sent without waiting, as in Kong: give each one its moment.
    }
    assertThat(passed).isEqualTo(left);
    assertThat(refused).isEqualTo(6);
  }

  @Test
  void anUnreachableRedisLetsTrafficThroughWhenFaultTolerant() {
    try (DeadPort dead = DeadPort.open()) {
      String route = UUID.randomUUID().toString();
      AdminClient admin = a.admin();
      admin.post("/services", "name=s", "url=http://" + backend.target());
      admin.post("/services/s/routes", "id=" + route, "paths[]=/limited");
      admin.post("/routes/" + route + "/plugins", "name=rate-limiting", "config.minute=1", "config.policy=redis",
          "config.redis.host=127.0.0.1", "config.redis.port=" + dead.port(), "config.redis.timeout=500");
      await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(a.proxyUrl() + "/limited").statusCode() == 200);
      for (int i = 0; i < 3; i++) {
        var r = Http.get(a.proxyUrl() + "/limited");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-RateLimit-Limit-Minute")).isEmpty();
      }
      String plugin = admin.get("/plugins").json().path("data").get(0).path("id").asText();
      AdminClient.Reply patched = admin.patch("/plugins/" + plugin, "config.fault_tolerant=false");
      assertThat(patched.status()).as(patched.text()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(a.proxyUrl() + "/limited").statusCode() == 500);
      assertThat(Http.json(Http.get(a.proxyUrl() + "/limited")).path("message").asText())
          .isEqualTo("An unexpected error occurred");
    }
  }

  @Test
  void theRedisPolicyNeedsAHost() {
    AdminClient.Reply r = a.admin().post("/plugins", "name=rate-limiting", "config.second=1", "config.policy=redis");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("fields").path("config").path("redis.host").asText()).isEqualTo("required field missing");
  }
}
