package dev.fulcrum.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.TestNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The acceptance scenario: two targets in real processes behind an upstream with active and
 * passive checks; while clients send requests continuously, one target is killed with SIGKILL and
 * later started again. No request may fail; the dead target is marked UNHEALTHY, then HEALTHY
 * again, and takes traffic once more.
 */
class FailoverTest {
  @Test
  void killingATargetLosesNoRequest() throws Exception {
    Processes.BackendProcess a = Processes.backend("a", 0);
    Processes.BackendProcess b = Processes.backend("b", 0);
    try (TestNode node = TestNode.start()) {
      AdminClient admin = node.admin();
      String targetB = "127.0.0.1:" + b.port();
      admin.post("/upstreams", "name=failover.test",
          "healthchecks.active.http_path=/health", "healthchecks.active.timeout=1",
          "healthchecks.active.healthy.interval=0.2", "healthchecks.active.unhealthy.interval=0.2",
          "healthchecks.active.healthy.successes=2", "healthchecks.active.unhealthy.tcp_failures=2",
          "healthchecks.active.unhealthy.timeouts=2", "healthchecks.active.unhealthy.http_failures=2",
          "healthchecks.passive.unhealthy.tcp_failures=1", "healthchecks.passive.unhealthy.timeouts=1");
      admin.post("/upstreams/failover.test/targets", "target=127.0.0.1:" + a.port());
      admin.post("/upstreams/failover.test/targets", "target=" + targetB);
      admin.post("/services", "name=failover", "host=failover.test", "connect_timeout=1000", "read_timeout=5000");
      admin.post("/services/failover/routes", "paths[]=/");

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicBoolean bRestarted = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger bAfterRestart = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      ConcurrentHashMap<String, AtomicInteger> byServer = new ConcurrentHashMap<>();
      ExecutorService clients = Executors.newFixedThreadPool(4);
      for (int c = 0; c < 4; c++) {
        clients.execute(
            () -> {
              while (running.get()) {
                try {
                  HttpResponse<String> r =
                      Http.CLIENT.send(
                          HttpRequest.newBuilder(URI.create(node.proxyUrl() + "/hostname"))
                              .timeout(Duration.ofSeconds(10))
                              .build(),
                          HttpResponse.BodyHandlers.ofString());
                  if (r.statusCode() != 200) {
                    failures.add("status " + r.statusCode() + ": " + r.body());
                    continue;
                  }
                  String server = Http.json(r).get("server").asText();
                  byServer.computeIfAbsent(server, k -> new AtomicInteger()).incrementAndGet();
                  if (server.equals("b") && bRestarted.get()) {
                    bAfterRestart.incrementAndGet();
                  }
                  ok.incrementAndGet();
                } catch (Exception e) {
                  failures.add(e.toString());
                }
              }
            });
      }
      // Both targets carry steady traffic before one is killed.
      await().atMost(Duration.ofSeconds(10)).until(() -> served(byServer, "a") >= 20 && served(byServer, "b") >= 20);

      Processes.kill(b.process());
      await().atMost(Duration.ofSeconds(10)).until(() -> "UNHEALTHY".equals(health(admin, targetB)));
      int bBefore = byServer.get("b").get();
      int okBefore = ok.get();
      // The clients go on: none of their next requests may reach the dead target.
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= okBefore + 250);
      assertThat(byServer.get("b").get()).as("no traffic to a dead target").isEqualTo(bBefore);

      // Started again where it was: its address is the target's.
      b = Processes.backend("b", b.port());
      bRestarted.set(true);
      await().atMost(Duration.ofSeconds(10)).until(() -> "HEALTHY".equals(health(admin, targetB)));
      await().atMost(Duration.ofSeconds(10)).until(() -> bAfterRestart.get() > 10);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).as("failed requests").isEmpty();
      assertThat(ok.get()).isGreaterThan(100);
    } finally {
      Processes.kill(a.process());
      Processes.kill(b.process());
    }
  }

  private static int served(ConcurrentHashMap<String, AtomicInteger> byServer, String server) {
    AtomicInteger n = byServer.get(server);
    return n == null ? 0 : n.get();
  }

  private static String health(AdminClient admin, String target) {
    for (JsonNode t : admin.get("/upstreams/failover.test/health").json().get("data")) {
      if (t.get("target").asText().equals(target)) {
        return t.get("health").asText();
      }
    }
    return null;
  }
}
