package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.server.Node;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.TestNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import dev.fulcrum.testing.Closer;

/** Nodes sharing one PostgreSQL schema: a change made on any of them reaches all. */
class PgClusterTest {
  private static final Duration SOON = Duration.ofSeconds(10);

  private final PgSchema schema = PgSchema.fresh();
  /** What each test opened, closed before its schema is dropped. */
  private final Closer closer = new Closer();

  @AfterEach
  void stop() throws Exception {
    closer.afterEach(null);
    schema.close();
  }

  private <T extends AutoCloseable> T keep(T c) {
    return closer.add(c);
  }

  private void bootstrap() {
    try (JdbcStore s = Stores.open(NodeSettings.load(null, Map.of(), schema.settings()), "bootstrap")) {
      s.migrateUp();
    }
  }

  /** A node on the shared schema; {@code pollSeconds} is db_update_frequency. */
  private TestNode node(String pollSeconds) {
    Map<String, String> s = new HashMap<>(schema.settings());
    s.put("db_update_frequency", pollSeconds);
    return keep(TestNode.start(s));
  }

  private static int status(TestNode n, String path) {
    return Http.get(n.proxyUrl() + path).statusCode();
  }

  private static String servedBy(TestNode n, String path) {
    var r = Http.get(n.proxyUrl() + path);
    return r.statusCode() == 200 ? Http.json(r).path("server").asText() : "status " + r.statusCode();
  }

  @Test
  void everyWriteOnOneNodeReachesTheOtherThroughNotify() {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    Backend two = keep(Backend.start("two"));
    // Polling once a minute: within the test's waits only NOTIFY can carry the changes.
    TestNode a = node("60");
    TestNode b = node("60");
    AdminClient admin = a.admin();

    assertThat(admin.post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
    assertThat(admin.post("/services/s/routes", "name=r", "paths[]=/s").status()).isEqualTo(201);
    await().atMost(SOON).until(() -> servedBy(b, "/s").equals("one"));

    assertThat(admin.patch("/services/s", "url=http://" + two.target()).status()).isEqualTo(200);
    await().atMost(SOON).until(() -> servedBy(b, "/s").equals("two"));

    assertThat(admin.post("/upstreams", "name=u").status()).isEqualTo(201);
    assertThat(admin.post("/upstreams/u/targets", "target=" + one.target()).status()).isEqualTo(201);
    assertThat(admin.patch("/services/s", "host=u", "port=80").status()).isEqualTo(200);
    await().atMost(SOON).until(() -> servedBy(b, "/s").equals("one"));

    String targetId = admin.get("/upstreams/u/targets").json().path("data").get(0).path("id").asText();
    assertThat(admin.post("/upstreams/u/targets", "target=" + two.target()).status()).isEqualTo(201);
    assertThat(admin.delete("/upstreams/u/targets/" + targetId).status()).isEqualTo(204);
    await().atMost(SOON).until(() -> servedBy(b, "/s").equals("two"));

    // And from b back to a.
    assertThat(b.admin().patch("/routes/r", "paths[]=/moved").status()).isEqualTo(200);
    await().atMost(SOON).until(() -> status(a, "/s") == 404 && servedBy(a, "/moved").equals("two"));
    assertThat(b.admin().delete("/routes/r").status()).isEqualTo(204);
    await().atMost(SOON).until(() -> status(a, "/moved") == 404);
  }

  @Test
  void pluginsConsumersAndCredentialsMadeOnOneNodeApplyOnTheOther() {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    TestNode a = node("60");
    TestNode b = node("60");
    AdminClient admin = a.admin();
    admin.post("/services", "name=s", "url=http://" + one.target());
    admin.post("/services/s/routes", "name=r", "paths[]=/s");
    assertThat(admin.post("/services/s/plugins", "name=key-auth").status()).isEqualTo(201);
    await().atMost(SOON).until(() -> status(b, "/s") == 401);

    admin.post("/consumers", "username=luka");
    assertThat(b.admin().post("/consumers/luka/key-auth", "key=k1").status()).isEqualTo(201);
    await().atMost(SOON).until(() -> Http.get(a.proxyUrl() + "/s", "apikey", "k1").statusCode() == 200);

    String plugin = admin.get("/services/s/plugins").json().path("data").get(0).path("id").asText();
    assertThat(b.admin().patch("/plugins/" + plugin, "enabled=false").status()).isEqualTo(200);
    await().atMost(SOON).until(() -> status(a, "/s") == 200);
    assertThat(admin.delete("/consumers/luka").status()).isEqualTo(204);
    assertThat(b.admin().patch("/plugins/" + plugin, "enabled=true").status()).isEqualTo(200);
    await().atMost(SOON).until(() -> Http.get(a.proxyUrl() + "/s", "apikey", "k1").statusCode() == 401);
  }

  @Test
  void theClusterPolicySharesOneRateLimitBetweenNodes() throws InterruptedException {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    TestNode a = node("60");
    TestNode b = node("60");
    AdminClient admin = a.admin();
    admin.post("/services", "name=s", "url=http://" + one.target());
    admin.post("/services/s/routes", "name=r", "paths[]=/s");
    assertThat(admin.post("/plugins", "name=rate-limiting", "config.hour=10", "config.policy=cluster").status())
        .isEqualTo(201);
    await().atMost(SOON).until(() -> Http.get(b.proxyUrl() + "/s").headers().firstValue("X-RateLimit-Limit-Hour")
        .isPresent() && Http.get(a.proxyUrl() + "/s").headers().firstValue("X-RateLimit-Limit-Hour").isPresent());
    Thread.sleep(200);
    int left = Integer.parseInt(Http.get(a.proxyUrl() + "/s").headers().firstValue("X-RateLimit-Remaining-Hour")
        .orElseThrow());
    int passed = 0;
    for (int i = 0; i < left + 4; i++) {
      Thread.sleep(100); // increments are written after the answer, as in Kong
      if (Http.get((i % 2 == 0 ? b : a).proxyUrl() + "/s").statusCode() == 200) {
        passed++;
      }
    }
    assertThat(passed).isEqualTo(left);
  }

  @Test
  void aProxyCachePurgeOnOneNodeEmptiesTheOthers() {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    TestNode a = node("60");
    TestNode b = node("60");
    AdminClient admin = a.admin();
    admin.post("/services", "name=s", "url=http://" + one.target());
    admin.post("/services/s/routes", "name=r", "paths[]=/s");
    admin.post("/plugins", "name=proxy-cache", "config.strategy=memory", "config.content_type=application/json");
    await().atMost(SOON).until(() -> cacheStatus(b, "/s").equals("Hit"));
    assertThat(admin.delete("/proxy-cache").status()).isEqualTo(204);
    await().atMost(SOON).until(() -> cacheStatus(b, "/s").equals("Miss"));

    String key = Http.get(b.proxyUrl() + "/s").headers().firstValue("X-Cache-Key").orElseThrow();
    assertThat(b.admin().get("/proxy-cache/" + key).status()).isEqualTo(200);
    // The entry is on b only: a's Admin API has nothing to purge, b's purges it everywhere.
    assertThat(b.admin().delete("/proxy-cache/" + key).status()).isEqualTo(204);
    assertThat(cacheStatus(b, "/s")).isEqualTo("Miss");
  }

  private static String cacheStatus(TestNode n, String path) {
    return Http.get(n.proxyUrl() + path).headers().firstValue("X-Cache-Status").orElse("none");
  }

  @Test
  void pollingAloneStillCarriesEveryChange() {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    Map<String, String> quiet = new HashMap<>(schema.settings());
    quiet.put("db_update_notify", "off");
    quiet.put("db_update_frequency", "0.2");
    TestNode a = keep(TestNode.start(quiet));
    TestNode b = keep(TestNode.start(quiet));
    assertThat(a.admin().post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
    assertThat(a.admin().post("/services/s/routes", "paths[]=/p").status()).isEqualTo(201);
    await().atMost(SOON).until(() -> servedBy(b, "/p").equals("one"));
    assertThat(b.admin().delete("/services/s/routes/" + a.admin().get("/routes").json().path("data").get(0)
        .path("id").asText()).status()).isEqualTo(204);
    await().atMost(SOON).until(() -> status(a, "/p") == 404);
  }

  @Test
  void manualHealthSetOnOneNodeIsAppliedOnEvery() {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    Backend two = keep(Backend.start("two"));
    TestNode a = node("60");
    TestNode b = node("60");
    AdminClient admin = a.admin();
    assertThat(admin.post("/upstreams", "name=u", "healthchecks.passive.unhealthy.http_failures=5").status())
        .isEqualTo(201);
    assertThat(admin.post("/upstreams/u/targets", "target=" + one.target()).status()).isEqualTo(201);
    assertThat(admin.post("/upstreams/u/targets", "target=" + two.target()).status()).isEqualTo(201);
    assertThat(admin.post("/services", "name=s", "host=u").status()).isEqualTo(201);
    assertThat(admin.post("/services/s/routes", "paths[]=/s").status()).isEqualTo(201);
    await().atMost(SOON).untilAsserted(() -> assertThat(servedBy(b, "/s")).isIn("one", "two"));

    assertThat(admin.put("/upstreams/u/targets/" + two.target() + "/unhealthy").status()).isEqualTo(204);
    await().atMost(SOON).until(() -> health(b, two).equals("UNHEALTHY"));
    assertThat(health(a, two)).isEqualTo("UNHEALTHY");
    for (int i = 0; i < 6; i++) {
      assertThat(servedBy(b, "/s")).isEqualTo("one");
    }
    assertThat(b.admin().put("/upstreams/u/targets/" + two.target() + "/healthy").status()).isEqualTo(204);
    await().atMost(SOON).until(() -> health(a, two).equals("HEALTHY"));
    assertThat(health(b, two)).isEqualTo("HEALTHY");
  }

  private static String health(TestNode n, Backend target) {
    for (var t : n.admin().get("/upstreams/u/health").json().path("data")) {
      if (t.path("target").asText().equals(target.target())) {
        return t.path("health").asText();
      }
    }
    return "absent";
  }

  @Test
  void aWriteOnOneNodeDropsTheEntityFromEveryNodesCache() {
    bootstrap();
    TestNode a = node("60");
    TestNode b = node("60");
    String id = a.admin().post("/services", "name=s", "url=http://127.0.0.1:9").field("id");
    String key = dev.fulcrum.cluster.NodeCache.key("services", id);
    // Node b must have applied the creation first, or its invalidation would empty the cache below.
    java.util.concurrent.CountDownLatch created = new java.util.concurrent.CountDownLatch(1);
    b.node().snapshots().whenApplied(a.node().store().lastEventId(), created::countDown);
    await().atMost(SOON).until(() -> created.getCount() == 0);
    b.node().cache().get(key, () -> java.util.Optional.of(dev.fulcrum.model.Json.object().put("name", "s")));
    assertThat(b.admin().get("/cache/" + key).field("name")).isEqualTo("s");
    assertThat(a.admin().get("/cache/" + key).status()).isEqualTo(404);

    assertThat(a.admin().patch("/services/s", "retries=3").status()).isEqualTo(200);
    await().atMost(SOON).until(() -> b.admin().get("/cache/" + key).status() == 404);

    b.node().cache().get(key, () -> java.util.Optional.of(dev.fulcrum.model.Json.object()));
    assertThat(b.admin().delete("/cache/" + key).status()).isEqualTo(204);
    assertThat(b.admin().get("/cache/" + key).status()).isEqualTo(404);
    b.node().cache().get(key, () -> java.util.Optional.of(dev.fulcrum.model.Json.object()));
    assertThat(b.admin().delete("/cache").status()).isEqualTo(204);
    assertThat(b.node().cache().size()).isZero();
  }

  @Test
  void concurrentWritersOnTwoNodesLoseNoChange() throws Exception {
    bootstrap();
    Backend one = keep(Backend.start("one"));
    TestNode a = node("60");
    TestNode b = node("60");
    assertThat(a.admin().post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (TestNode n : List.of(a, b)) {
        for (int w = 0; w < 2; w++) {
          String tag = n == a ? "a" + w : "b" + w;
          writers.add(pool.submit(() -> {
            for (int i = 0; i < each; i++) {
              assertThat(n.admin().post("/services/s/routes", "paths[]=/" + tag + "-" + i).status()).isEqualTo(201);
            }
            return null;
          }));
        }
      }
      for (Future<?> f : writers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    for (TestNode n : List.of(a, b)) {
      await().atMost(SOON).untilAsserted(() -> {
        for (String tag : List.of("a0", "a1", "b0", "b1")) {
          for (int i = 0; i < each; i++) {
            assertThat(status(n, "/" + tag + "-" + i)).as(tag + "-" + i).isEqualTo(200);
          }
        }
      });
    }
  }

  @Test
  void aDatabaseNeverBootstrappedStopsTheStartNamingTheCommand() {
    assertThatThrownBy(() -> TestNode.start(schema.settings()))
        .isInstanceOf(SettingsException.class)
        .hasMessage("Database needs bootstrapping; run 'fulcrum migrations bootstrap'");
  }

  @Test
  void badSettingsAreNamedInOneLine() {
    bootstrap();
    Map<String, String> s = new HashMap<>(schema.settings());
    s.put("pg_user", "no_such_role_here");
    assertThatThrownBy(() -> TestNode.start(s)).isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("pg_user: ").hasMessageContaining("no_such_role_here");

    s.put("pg_user", PgSchema.user());
    s.put("pg_database", "no_such_database_here");
    assertThatThrownBy(() -> TestNode.start(s)).isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("pg_database: ").hasMessageContaining("no_such_database_here");

    s.put("pg_database", PgSchema.database());
    s.put("pg_host", "");
    assertThatThrownBy(() -> TestNode.start(s)).isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("pg_host: ");

    try (DeadPort dead = DeadPort.open()) {
      s.put("pg_host", PgSchema.host());
      s.put("pg_port", Integer.toString(dead.port()));
      assertThatThrownBy(() -> TestNode.start(s)).isInstanceOf(SettingsException.class)
          .hasMessageStartingWith("pg_host: cannot connect to PostgreSQL at " + PgSchema.host() + ":" + dead.port());
    }
    assertThat(Node.class).isNotNull();
  }
}
