package dev.fulcrum.store.jdbc;

import dev.fulcrum.plugin.ratelimiting.Counts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * rate-limiting's {@code cluster} policy: the counts in the node's database (table {@code
 * ratelimiting_metrics}), shared by every node of the cluster. The database is never asked on an
 * event loop: reads and increments run on two threads of their own.
 */
public final class JdbcCounts implements Counts, AutoCloseable {
  private static final int SWEEP_EVERY = 10_000;

  private final JdbcStore store;
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "fulcrum-ratelimit-db");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong increments = new AtomicLong();

  public JdbcCounts(JdbcStore store) {
    this.store = store;
  }

  @Override
  public CompletionStage<long[]> get(String[] keys) {
    return CompletableFuture.supplyAsync(() -> store.withConnection(c -> read(c, keys)), executor);
  }

  private static long[] read(Connection c, String[] keys) throws SQLException {
    Map<String, Long> found = new HashMap<>();
    StringBuilder sql = new StringBuilder("SELECT key, value FROM ratelimiting_metrics WHERE key IN (");
    int n = 0;
    for (String k : keys) {
      if (k != null) {
        sql.append(n++ == 0 ? "?" : ", ?");
      }
    }
    sql.append(") AND expires_at > ?");
    try (PreparedStatement s = c.prepareStatement(sql.toString())) {
      int i = 1;
      for (String k : keys) {
        if (k != null) {
          s.setString(i++, k);
        }
      }
      s.setLong(i, System.currentTimeMillis());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          found.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    long[] out = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      out[i] = keys[i] == null ? 0 : found.getOrDefault(keys[i], 0L);
    }
    return out;
  }

  @Override
  public void increment(String[] keys, long[] expiresAtMillis, long nowMillis) {
    boolean sweep = increments.incrementAndGet() % SWEEP_EVERY == 0;
    executor.execute(() -> {
      try {
        store.withConnection(c -> {
          write(c, keys, expiresAtMillis, sweep ? nowMillis : -1);
          return null;
        });
      } catch (RuntimeException e) {
        // Kong's increments are fire and forget too: a failed one costs one count.
        org.slf4j.LoggerFactory.getLogger(JdbcCounts.class).warn("rate-limiting: cannot count: {}", e.toString());
      }
    });
  }

  private static void write(Connection c, String[] keys, long[] expires, long sweepBefore) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (PreparedStatement s = c.prepareStatement("INSERT INTO ratelimiting_metrics (key, value, expires_at)"
          + " VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET value = ratelimiting_metrics.value + 1")) {
        for (int i = 0; i < keys.length; i++) {
          if (keys[i] != null) {
            s.setString(1, keys[i]);
            s.setLong(2, expires[i]);
            s.addBatch();
          }
        }
        s.executeBatch();
      }
      if (sweepBefore >= 0) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM ratelimiting_metrics WHERE expires_at <= ?")) {
          s.setLong(1, sweepBefore);
          s.executeUpdate();
        }
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
