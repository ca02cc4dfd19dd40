package dev.fulcrum.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active and passive health checks, target health endpoints and health that outlives edits. */
class HealthChecksTest {
  TestNode node;
  AdminClient admin;
  Backend a;
  Backend b;

  @BeforeEach
  void start() {
    node = TestNode.start();
    admin = node.admin();
    a = Backend.start("a");
    b = Backend.start("b");
  }

  @AfterEach
  void stop() {
    node.close();
    a.close();
    b.close();
  }

  /** An upstream "up.test" with targets a and b behind service/route /hc. */
  private void upstream(String... healthchecks) {
    String[] fields = new String[healthchecks.length + 1];
    fields[0] = "name=up.test";
    System.arraycopy(healthchecks, 0, fields, 1, healthchecks.length);
    assertThat(admin.post("/upstreams", fields).status()).isEqualTo(201);
    admin.post("/upstreams/up.test/targets", "target=" + a.target());
    admin.post("/upstreams/up.test/targets", "target=" + b.target());
    admin.post("/services", "name=hc", "host=up.test");
    admin.post("/services/hc/routes", "paths[]=/hc");
  }

  private String health(String target) {
    for (JsonNode t : admin.get("/upstreams/up.test/health").json().get("data")) {
      if (t.get("target").asText().equals(target)) {
        return t.get("health").asText();
      }
    }
    return null;
  }

  private Map<String, Integer> spread(int n) {
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = Http.get(node.proxyUrl() + "/hc");
      count.merge(r.statusCode() == 200 ? Http.json(r).get("server").asText() : "status " + r.statusCode(), 1, Integer::sum);
    }
    return count;
  }

  @Test
  void activeProbesTakeADeadTargetOutAndBringItBack() throws Exception {
    try (DeadPort dead = DeadPort.open()) {
      String target = dead.target();
      admin.post("/upstreams", "name=up.test",
          "healthchecks.active.healthy.interval=0.1", "healthchecks.active.unhealthy.interval=0.1",
          "healthchecks.active.healthy.successes=2", "healthchecks.active.unhealthy.tcp_failures=2",
          "healthchecks.active.http_path=/health");
      admin.post("/upstreams/up.test/targets", "target=" + a.target());
      admin.post("/upstreams/up.test/targets", "target=" + target);
      admin.post("/services", "name=hc", "host=up.test");
      admin.post("/services/hc/routes", "paths[]=/hc");
      await().atMost(Duration.ofSeconds(10)).until(() -> "UNHEALTHY".equals(health(target)));
      assertThat(health(a.target())).isEqualTo("HEALTHY");
      assertThat(spread(6)).containsOnlyKeys("a");
      // The target comes back on the same address: free the port just before a server listens there.
      dead.close();
      try (Backend revived = Backend.start("revived", dead.port())) {
        await().atMost(Duration.ofSeconds(10)).until(() -> "HEALTHY".equals(health(target)));
        assertThat(spread(6)).containsOnlyKeys("a", "revived");
        assertThat(revived.hits()).isGreaterThan(2);
      }
    }
  }

  @Test
  void activeHttpFailuresCount() {
    upstream(
        "healthchecks.active.healthy.interval=0.1", "healthchecks.active.unhealthy.interval=0.1",
        "healthchecks.active.healthy.successes=1", "healthchecks.active.unhealthy.http_failures=2");
    b.failWith(500);
    await().atMost(Duration.ofSeconds(10)).until(() -> "UNHEALTHY".equals(health(b.target())));
    b.failWith(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> "HEALTHY".equals(health(b.target())));
  }

  @Test
  void passiveChecksOpenTheCircuitAfterTheConfiguredFailures() {
    upstream("healthchecks.passive.unhealthy.http_failures=2");
    b.failWith(500);
    Map<String, Integer> first = spread(8);
    // Kong passes a 500 through (no retry on a status) and counts it; after two b is out.
    assertThat(first.get("status 500")).isEqualTo(2);
    assertThat(health(b.target())).isEqualTo("UNHEALTHY");
    assertThat(spread(6)).containsOnlyKeys("a");
  }

  @Test
  void aRefusedConnectionOpensThePassiveCircuitAndTheRequestIsRetried() throws Exception {
    try (DeadPort dead = DeadPort.open()) {
      admin.post("/upstreams", "name=up.test", "healthchecks.passive.unhealthy.tcp_failures=1");
      admin.post("/upstreams/up.test/targets", "target=" + a.target());
      admin.post("/upstreams/up.test/targets", "target=" + dead.target());
      admin.post("/services", "name=hc", "host=up.test");
      admin.post("/services/hc/routes", "paths[]=/hc");
      assertThat(spread(2)).containsOnlyKeys("a");
      assertThat(health(dead.target())).isEqualTo("UNHEALTHY");
    }
  }

  @Test
  void manualHealthAndItsErrors() {
    upstream("healthchecks.passive.unhealthy.http_failures=5");
    assertThat(admin.put("/upstreams/up.test/targets/" + b.target() + "/unhealthy").status()).isEqualTo(204);
    assertThat(health(b.target())).isEqualTo("UNHEALTHY");
    assertThat(spread(6)).containsOnlyKeys("a");
    String id = admin.get("/upstreams/up.test/targets/" + b.target()).field("id");
    assertThat(admin.put("/upstreams/up.test/targets/" + id + "/healthy").status()).isEqualTo(204);
    assertThat(spread(6)).containsOnlyKeys("a", "b");
    assertThat(admin.put("/upstreams/nope.test/targets/" + b.target() + "/healthy").status()).isEqualTo(404);
    assertThat(admin.put("/upstreams/up.test/targets/10.9.9.9:1/healthy").status()).isEqualTo(404);
    admin.post("/upstreams", "name=other.test");
    assertThat(admin.put("/upstreams/other.test/targets/" + b.target() + "/healthy").status()).isEqualTo(404);
    admin.post("/upstreams/other.test/targets", "target=" + b.target());
    AdminClient.Reply off = admin.put("/upstreams/other.test/targets/" + b.target() + "/healthy");
    assertThat(off.status()).isEqualTo(400);
    assertThat(off.field("message")).isEqualTo("no healthchecker found for other.test");
  }

  @Test
  void anAddressOfATargetCanBeMarkedAsKongsAddressEndpointsDo() {
    upstream("healthchecks.passive.unhealthy.http_failures=5");
    String base = "/upstreams/up.test/targets/" + b.target() + "/" + b.target();
    assertThat(admin.put(base + "/unhealthy").status()).isEqualTo(204);
    assertThat(health(b.target())).isEqualTo("UNHEALTHY");
    assertThat(spread(6)).containsOnlyKeys("a");
    assertThat(admin.put(base + "/healthy").status()).isEqualTo(204);
    assertThat(spread(6)).containsOnlyKeys("a", "b");
    // An address that is not the target's own is not found.
    assertThat(admin.put("/upstreams/up.test/targets/" + b.target() + "/10.9.9.9:1/healthy").status()).isEqualTo(404);
  }

  @Test
  void healthSurvivesEditsOfTheUpstreamAndItsTargets() {
    upstream("healthchecks.passive.unhealthy.tcp_failures=3");
    admin.put("/upstreams/up.test/targets/" + b.target() + "/unhealthy");
    assertThat(admin.patch("/upstreams/up.test", "healthchecks.passive.unhealthy.timeouts=2", "slots=2000").status())
        .isEqualTo(200);
    try (Backend c = Backend.start("c")) {
      admin.post("/upstreams/up.test/targets", "target=" + c.target());
      admin.patch("/upstreams/up.test/targets/" + a.target(), "weight=50");
      assertThat(health(b.target())).isEqualTo("UNHEALTHY");
      assertThat(spread(9)).containsOnlyKeys("a", "c");
    }
  }

  @Test
  void everyTargetDownIsAnImmediate503() {
    upstream("healthchecks.passive.unhealthy.http_failures=1");
    admin.put("/upstreams/up.test/targets/" + a.target() + "/unhealthy");
    admin.put("/upstreams/up.test/targets/" + b.target() + "/unhealthy");
    HttpResponse<String> r = Http.get(node.proxyUrl() + "/hc");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(Http.json(r).get("message").asText()).isEqualTo("failure to get a peer from the ring-balancer");
    assertThat(a.hits() + b.hits()).isZero();
  }

  @Test
  void healthShapesWithChecksOff() {
    upstream();
    admin.post("/upstreams/up.test/targets", "target=10.0.0.9:80", "weight=0");
    JsonNode body = admin.get("/upstreams/up.test/health").json();
    assertThat(body.get("node_id").asText()).isEqualTo(admin.get("/").field("node_id"));
    assertThat(body.get("next").isNull()).isTrue();
    JsonNode newest = body.get("data").get(0);
    assertThat(newest.get("target").asText()).isEqualTo("10.0.0.9:80");
    assertThat(newest.get("health").asText()).isEqualTo("HEALTHCHECKS_OFF");
    assertThat(health(a.target())).isEqualTo("HEALTHCHECKS_OFF");
    JsonNode data = body.get("data").get(1).get("data");
    assertThat(data.get("port").asInt()).isEqualTo(b.port());
    assertThat(data.at("/weight/total").asInt()).isEqualTo(100);
    assertThat(data.at("/addresses/0/ip").asText()).isEqualTo("127.0.0.1");
    JsonNode balancer = admin.get("/upstreams/up.test/health?balancer_health=1").json().get("data");
    assertThat(balancer.get("health").asText()).isEqualTo("HEALTHCHECKS_OFF");
    assertThat(balancer.get("balancer_health").asText()).isEqualTo("HEALTHY");
    assertThat(balancer.at("/details/weight/total").asInt()).isEqualTo(200);
    assertThat(balancer.at("/details/hosts")).hasSize(3);
  }

  @Test
  void balancerHealthFollowsTheThreshold() {
    upstream("healthchecks.passive.unhealthy.http_failures=1", "healthchecks.threshold=60");
    admin.put("/upstreams/up.test/targets/" + b.target() + "/unhealthy");
    JsonNode balancer = admin.get("/upstreams/up.test/health?balancer_health=1").json().get("data");
    assertThat(balancer.get("health").asText()).isEqualTo("UNHEALTHY");
    assertThat(balancer.at("/details/weight/available").asInt()).isEqualTo(100);
    // 50 % available is not above a 60 % threshold: the whole upstream refuses.
    assertThat(Http.get(node.proxyUrl() + "/hc").statusCode()).isEqualTo(503);
  }
}
