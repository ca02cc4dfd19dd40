package dev.fulcrum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.PgSettings;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.testing.PgSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PostgresStoreTest {
  private final PgSchema schema = PgSchema.fresh();
  private final List<PostgresStore> open = new ArrayList<>();

  @AfterEach
  void drop() {
    open.forEach(PostgresStore::close);
    schema.close();
  }

  private PostgresStore store() {
    PgSettings pg = PgSettings.primary(NodeSettings.load(null, Map.of(), schema.settings()));
    PostgresStore s = PostgresStore.open(pg, null, "node-" + open.size());
    open.add(s);
    return s;
  }

  @Test
  void migrationsRunOnceEvenWhenNodesRunThemAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<String>>> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        PostgresStore s = store();
        runs.add(pool.submit(s::migrateUp));
      }
      List<String> ran = new ArrayList<>();
      for (Future<List<String>> f : runs) {
        ran.addAll(f.get());
      }
      assertThat(ran).containsExactly("000_base", "001_plugins", "002_basic_auth_acl", "003_ratelimiting_metrics", "004_vaults_keys");
    } finally {
      pool.shutdownNow();
    }
    PostgresStore s = store();
    assertThat(s.executedMigrations()).containsExactly("000_base", "001_plugins", "002_basic_auth_acl", "003_ratelimiting_metrics", "004_vaults_keys");
    assertThat(s.pendingMigrations()).isEmpty();
    assertThat(s.migrateUp()).isEmpty();
  }

  @Test
  void aSchemaNeverBootstrappedHasNoMigrationsAndResetEmptiesIt() throws Exception {
    PostgresStore s = store();
    assertThat(s.executedMigrations()).isEmpty();
    assertThat(s.pendingMigrations()).containsExactly("000_base", "001_plugins", "002_basic_auth_acl", "003_ratelimiting_metrics", "004_vaults_keys");
    s.migrateUp();
    s.reset();
    assertThat(s.executedMigrations()).isEmpty();
    // Every table goes, so that a bootstrap after a reset starts empty.
    try (var c = schema.connect(); var st = c.createStatement();
        var rs = st.executeQuery(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema.name() + "'")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void writesExpireEventsOlderThanTheLogKeeps() throws Exception {
    PostgresStore s = store();
    s.migrateUp();
    for (int i = 0; i < 3; i++) {
      s.write(tx -> tx.publish("test", "old"));
    }
    try (var c = schema.connect(); var st = c.createStatement()) {
      st.execute("UPDATE cluster_events SET at = at - " + (ChangeEvent.KEEP_SECONDS + 60));
    }
    long kept = s.write(tx -> tx.publish("test", "new"));
    assertThat(s.eventsAfter(0, 100)).extracting(ChangeEvent::id).containsExactly(kept);
  }

  /**
   * Two writers whose transactions hold their event a random while before committing, and a
   * reader following the log by "id greater than the last one seen", as the change feed does:
   * the reader must see every event. Without the commit-order lock, a transaction that took a
   * lower id and commits later is skipped.
   */
  @Test
  void aReaderFollowingTheLogMissesNoEventOfConcurrentWriters() throws Exception {
    store().migrateUp();
    PostgresStore writerA = store();
    PostgresStore writerB = store();
    PostgresStore reader = store();
    int perWriter = 60;
    AtomicBoolean writing = new AtomicBoolean(true);
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?> follow = pool.submit(() -> {
        long cursor = 0;
        while (true) {
          boolean last = !writing.get();
          for (ChangeEvent e : reader.eventsAfter(cursor, 1000)) {
            seen.add(e.id());
            cursor = Math.max(cursor, e.id());
          }
          if (last) {
            return null;
          }
        }
      });
      List<Future<?>> writers = new ArrayList<>();
      for (PostgresStore w : List.of(writerA, writerB)) {
        writers.add(pool.submit(() -> {
          for (int i = 0; i < perWriter; i++) {
            w.write(tx -> {
              tx.publish("test", "x");
              pause(ThreadLocalRandom.current().nextInt(3));
              return null;
            });
          }
          return null;
        }));
      }
      for (Future<?> f : writers) {
        f.get();
      }
      writing.set(false);
      follow.get();
    } finally {
      pool.shutdownNow();
    }
    List<Long> all = new ArrayList<>();
    reader.eventsAfter(0, 10_000).forEach(e -> all.add(e.id()));
    assertThat(all).hasSize(2 * perWriter);
    assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
  }

  private static void pause(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
