package dev.fulcrum.store.jdbc;

import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Schema migrations, applied in order and recorded in {@code schema_meta}. The SQL is written once
 * for both databases; {@code ${AUTO_ID}} is the one construct they spell differently.
 */
public final class Migrations {
  /** A named step; its statements run in one transaction. */
  public record Migration(String name, List<String> statements) {}

  public static final List<Migration> ALL =
      List.of(
          new Migration(
              "000_base",
              List.of(
                  "CREATE TABLE IF NOT EXISTS services (id TEXT PRIMARY KEY, name TEXT UNIQUE,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE TABLE IF NOT EXISTS routes (id TEXT PRIMARY KEY, name TEXT UNIQUE,"
                      + " service_id TEXT, created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS routes_service_id ON routes (service_id)",
                  "CREATE TABLE IF NOT EXISTS upstreams (id TEXT PRIMARY KEY, name TEXT UNIQUE,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE TABLE IF NOT EXISTS targets (id TEXT PRIMARY KEY, upstream_id TEXT,"
                      + " target TEXT, created_at DOUBLE PRECISION, doc TEXT NOT NULL,"
                      + " UNIQUE (upstream_id, target))",
                  "CREATE TABLE IF NOT EXISTS tags (entity_name TEXT NOT NULL, entity_id TEXT NOT NULL,"
                      + " tag TEXT NOT NULL, PRIMARY KEY (entity_name, entity_id, tag))",
                  "CREATE INDEX IF NOT EXISTS tags_tag ON tags (tag)",
                  "CREATE TABLE IF NOT EXISTS cluster_events (id ${AUTO_ID}, node_id TEXT NOT NULL,"
                      + " at DOUBLE PRECISION NOT NULL, channel TEXT NOT NULL, data TEXT)")),
          new Migration(
              "001_plugins",
              List.of(
                  "CREATE TABLE IF NOT EXISTS consumers (id TEXT PRIMARY KEY, username TEXT UNIQUE,"
                      + " custom_id TEXT UNIQUE, created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  // One plugin of a name per route/service/consumer: checked by the DAO, as the
                  // absent references are NULLs that a UNIQUE constraint would not compare.
                  "CREATE TABLE IF NOT EXISTS plugins (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                      + " instance_name TEXT UNIQUE, route_id TEXT, service_id TEXT, consumer_id TEXT,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS plugins_name ON plugins (name)",
                  "CREATE INDEX IF NOT EXISTS plugins_route_id ON plugins (route_id)",
                  "CREATE INDEX IF NOT EXISTS plugins_service_id ON plugins (service_id)",
                  "CREATE INDEX IF NOT EXISTS plugins_consumer_id ON plugins (consumer_id)",
                  "CREATE TABLE IF NOT EXISTS keyauth_credentials (id TEXT PRIMARY KEY, key TEXT UNIQUE,"
                      + " consumer_id TEXT, created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS keyauth_credentials_consumer_id ON keyauth_credentials (consumer_id)")),
          new Migration(
              "002_basic_auth_acl",
              List.of(
                  "CREATE TABLE IF NOT EXISTS basicauth_credentials (id TEXT PRIMARY KEY, username TEXT UNIQUE,"
                      + " consumer_id TEXT, created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS basicauth_credentials_consumer_id ON basicauth_credentials (consumer_id)",
                  // "group" is a reserved word in both databases: quoted here and wherever a
                  // statement names a column (Tables.quote). The pair is also the consumer index.
                  "CREATE TABLE IF NOT EXISTS acls (id TEXT PRIMARY KEY, consumer_id TEXT, \"group\" TEXT,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL, UNIQUE (consumer_id, \"group\"))")),
          new Migration(
              "003_ratelimiting_metrics",
              List.of(
                  // rate-limiting's cluster policy: one row per window and identifier.
                  "CREATE TABLE IF NOT EXISTS ratelimiting_metrics (key TEXT PRIMARY KEY, value BIGINT NOT NULL,"
                      + " expires_at BIGINT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS ratelimiting_metrics_expires_at ON ratelimiting_metrics (expires_at)")),
          new Migration(
              "004_vaults_keys",
              List.of(
                  "CREATE TABLE IF NOT EXISTS vaults (id TEXT PRIMARY KEY, prefix TEXT UNIQUE,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE TABLE IF NOT EXISTS key_sets (id TEXT PRIMARY KEY, name TEXT UNIQUE,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, name TEXT UNIQUE, set_id TEXT,"
                      + " created_at DOUBLE PRECISION, doc TEXT NOT NULL)",
                  "CREATE INDEX IF NOT EXISTS keys_set_id ON keys (set_id)")));

  private Migrations() {}

  static void ensureMetaTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS schema_meta (name TEXT PRIMARY KEY, executed_at DOUBLE PRECISION)");
    }
  }

  /**
   * The migrations run so far; empty when the database was never bootstrapped. Creates nothing,
   * so it is safe to ask while another node migrates.
   */
  static List<String> executed(Connection c, java.util.function.Predicate<SQLException> missingTable)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM schema_meta ORDER BY name")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      if (!missingTable.test(e)) {
        throw e;
      }
    }
    return names;
  }

  /** The names of the migrations not run yet, in order. */
  static List<String> pending(List<String> executed) {
    List<String> out = new ArrayList<>();
    for (Migration m : ALL) {
      if (!executed.contains(m.name())) {
        out.add(m.name());
      }
    }
    return out;
  }

  /** Runs the pending migrations (the caller holds the migrations lock); returns their names. */
  static List<String> up(Connection c, String autoId) throws SQLException {
    ensureMetaTable(c);
    List<String> done = executed(c, e -> false);
    List<String> ran = new ArrayList<>();
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      for (Migration m : ALL) {
        if (done.contains(m.name())) {
          continue;
        }
        try (Statement s = c.createStatement()) {
          for (String sql : m.statements()) {
            s.execute(sql.replace("${AUTO_ID}", autoId));
          }
        }
        try (PreparedStatement ps =
            c.prepareStatement("INSERT INTO schema_meta (name, executed_at) VALUES (?, ?)")) {
          ps.setString(1, m.name());
          ps.setDouble(2, System.currentTimeMillis() / 1000.0);
          ps.executeUpdate();
        }
        c.commit();
        ran.add(m.name());
      }
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
    return ran;
  }

  /** Drops every table Fulcrum made: the entities' (children first), then the rest. */
  static void reset(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    for (EntityType type : Entities.ALL) {
      tables.add(0, type.name());
    }
    tables.addAll(List.of("ratelimiting_metrics", "tags", "cluster_events", "schema_meta"));
    try (Statement s = c.createStatement()) {
      for (String table : tables) {
        s.execute("DROP TABLE IF EXISTS " + table);
      }
    }
  }
}
