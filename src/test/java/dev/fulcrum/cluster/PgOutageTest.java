package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.TcpRelay;
import dev.fulcrum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.fulcrum.testing.Closer;

/** The database goes away under load, and comes back. Each node reaches it through a relay. */
class PgOutageTest {
  private static final Duration SOON = Duration.ofSeconds(15);

  private final PgSchema schema = PgSchema.fresh();
  /** What each test opened, closed before its schema is dropped. */
  private final Closer closer = new Closer();
  private TcpRelay toDbA;
  private TcpRelay toDbB;
  private TestNode a;
  private TestNode b;
  private Backend one;

  @BeforeEach
  void cluster() {
    try (JdbcStore s = Stores.open(NodeSettings.load(null, Map.of(), schema.settings()), "bootstrap")) {
      s.migrateUp();
    }
    one = keep(Backend.start("one"));
    toDbA = keep(TcpRelay.to(PgSchema.host(), PgSchema.port()));
    toDbB = keep(TcpRelay.to(PgSchema.host(), PgSchema.port()));
    a = node(toDbA);
    b = node(toDbB);
    assertThat(a.admin().post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
    assertThat(a.admin().post("/services/s/routes", "paths[]=/s").status()).isEqualTo(201);
    await().atMost(SOON).until(() -> status(b, "/s") == 200);
  }

  @AfterEach
  void stop() throws Exception {
    closer.afterEach(null);
    schema.close();
  }

  private <T extends AutoCloseable> T keep(T c) {
    return closer.add(c);
  }

  /** Polling once a minute: what a node catches up within the test's waits, it owes to LISTEN's reconnect. */
  private TestNode node(TcpRelay relay) {
    Map<String, String> s = new HashMap<>(schema.settings(relay.port()));
    s.put("db_update_frequency", "60");
    s.put("pg_timeout", "1000");
    return keep(TestNode.start(s));
  }

  private static int status(TestNode n, String path) {
    return Http.get(n.proxyUrl() + path).statusCode();
  }

  @Test
  void nodesKeepServingRefuseWritesCleanlyAndCatchUpAfterwards() throws Exception {
    AtomicBoolean loading = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    Thread load = new Thread(() -> {
      while (loading.get()) {
        for (TestNode n : List.of(a, b)) {
          if (status(n, "/s") == 200) {
            served.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
        }
      }
    });
    load.start();
    try {
      toDbA.cut();
      toDbB.cut();
      AdminClient admin = a.admin();
      AdminClient.Reply refused = admin.post("/services", "name=lost", "url=http://" + one.target());
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.field("message")).isEqualTo("The database is unreachable; nothing was changed");
      assertThat(admin.get("/status").json().path("database").path("reachable").asBoolean()).isFalse();

      // a's database comes back first: it writes, b (still cut off) cannot see it yet.
      toDbA.restore();
      await().atMost(SOON).until(() -> admin.get("/status").json().path("database").path("reachable").asBoolean());
      assertThat(admin.get("/services/lost").status()).isEqualTo(404);
      assertThat(admin.post("/services/s/routes", "paths[]=/during").status()).isEqualTo(201);
      assertThat(status(a, "/during")).isEqualTo(200);
      assertThat(status(b, "/during")).isEqualTo(404);

      toDbB.restore();
      await().atMost(SOON).until(() -> status(b, "/during") == 200);
    } finally {
      loading.set(false);
      load.join();
    }
    assertThat(failed.get()).isZero();
    assertThat(served.get()).isPositive();
  }

  @Test
  void aNodeStartedWhileTheDatabaseIsAwayServesItsKeptCopyAndJoinsLater() {
    Path kept = b.prefix().resolve("config-cache.json");
    await().atMost(SOON).until(() -> Files.exists(kept) && Files.readString(kept).contains("\"/s\""));
    b.stopKeepingPrefix();
    toDbB.cut();
    TestNode again = keep(b.restart());
    assertThat(status(again, "/s")).isEqualTo(200);

    assertThat(a.admin().post("/services/s/routes", "paths[]=/later").status()).isEqualTo(201);
    assertThat(status(again, "/later")).isEqualTo(404);
    toDbB.restore();
    await().atMost(SOON).until(() -> status(again, "/later") == 200);
  }

  @Test
  void withoutAKeptCopyAStartWhileTheDatabaseIsAwayFailsNamingTheHost() {
    b.stopKeepingPrefix();
    toDbB.cut();
    try {
      java.nio.file.Files.deleteIfExists(b.prefix().resolve("config-cache.json"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(b::restart)
        .isInstanceOf(dev.fulcrum.conf.SettingsException.class)
        .hasMessageStartingWith("pg_host: cannot connect to PostgreSQL");
  }
}
