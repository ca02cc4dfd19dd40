package dev.fulcrum.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A schema of its own on the test PostgreSQL ({@code FULCRUM_TEST_PG}, default
 * {@code postgresql://root@127.0.0.1:5432/test}), dropped with everything in it on close.
 */
public final class PgSchema implements AutoCloseable {
  private static final URI SERVER =
      URI.create(System.getenv().getOrDefault("FULCRUM_TEST_PG", "postgresql://root@127.0.0.1:5432/test"));

  private final String name;

  private PgSchema(String name) {
    this.name = name;
  }

  /** A fresh name; the schema itself is made by bootstrap (or {@link #create}). */
  public static PgSchema fresh() {
    return new PgSchema("t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
  }

  public String name() {
    return name;
  }

  public static String host() {
    return SERVER.getHost();
  }

  public static int port() {
    return SERVER.getPort() < 0 ? 5432 : SERVER.getPort();
  }

  public static String user() {
    String info = SERVER.getUserInfo();
    return info == null ? "postgres" : info.split(":", 2)[0];
  }

  public static String password() {
    String info = SERVER.getUserInfo();
    return info == null || !info.contains(":") ? "" : info.split(":", 2)[1];
  }

  public static String database() {
    return SERVER.getPath().replaceFirst("^/", "");
  }

  /** Node settings for this schema on the test server. */
  public Map<String, String> settings() {
    return settings(port());
  }

  /** As {@link #settings()}, reaching the server through {@code port} (a relay a test can cut). */
  public Map<String, String> settings(int port) {
    Map<String, String> s = new HashMap<>();
    s.put("database", "postgres");
    s.put("pg_host", host());
    s.put("pg_port", Integer.toString(port));
    s.put("pg_user", user());
    s.put("pg_password", password());
    s.put("pg_database", database());
    s.put("pg_schema", name);
    s.put("pg_timeout", "2000");
    return s;
  }

  /** A connection to the test database with this schema first on its search path. */
  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(
        "jdbc:postgresql://" + host() + ":" + port() + "/" + database(), user(), password());
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + name);
    }
    return c;
  }

  @Override
  public void close() {
    try (Connection c = DriverManager.getConnection(
            "jdbc:postgresql://" + host() + ":" + port() + "/" + database(), user(), password());
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop schema " + name + ": " + e.getMessage(), e);
    }
  }
}
