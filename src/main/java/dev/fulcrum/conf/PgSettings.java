package dev.fulcrum.conf;

/**
 * Where a PostgreSQL database is: the {@code pg_*} settings, or the {@code pg_ro_*} ones of a read
 * replica, each of which defaults to its {@code pg_*} counterpart as in Kong.
 *
 * @param schema empty for the user's default search path
 * @param notifyChanges whether writes send NOTIFY and the node LISTENs ({@code db_update_notify}); off,
 *     changes travel by polling alone, as in Kong
 */
public record PgSettings(
    String host, int port, String user, String password, String database, String schema, int timeoutMillis,
    boolean notifyChanges) {

  /** The primary: every write, and the Admin API's reads. */
  public static PgSettings primary(NodeSettings s) {
    if (s.get("pg_host").isBlank()) {
      throw new SettingsException("pg_host", s.get("pg_host"), "a host name or address (database = postgres needs one)");
    }
    return new PgSettings(s.get("pg_host").trim(), Integer.parseInt(s.get("pg_port").trim()), s.get("pg_user"),
        s.get("pg_password"), s.get("pg_database"), s.get("pg_schema").trim(),
        Integer.parseInt(s.get("pg_timeout").trim()), s.get("db_update_notify").equalsIgnoreCase("on"));
  }

  /** The read replica named by {@code pg_ro_host}, or null when it is not set. */
  public static PgSettings replica(NodeSettings s) {
    if (s.get("pg_ro_host").isBlank()) {
      return null;
    }
    PgSettings p = primary(s);
    return new PgSettings(s.get("pg_ro_host").trim(),
        s.get("pg_ro_port").isBlank() ? p.port() : Integer.parseInt(s.get("pg_ro_port").trim()),
        or(s.get("pg_ro_user"), p.user()), or(s.get("pg_ro_password"), p.password()),
        or(s.get("pg_ro_database"), p.database()), p.schema(), p.timeoutMillis(), p.notifyChanges());
  }

  private static String or(String value, String fallback) {
    return value.isEmpty() ? fallback : value;
  }

  /** The pgjdbc URL (credentials travel as properties, not in the URL). */
  public String jdbcUrl() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + database;
  }

  /** For messages: {@code user@host:port/database}. */
  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database + (schema.isEmpty() ? "" : " (schema " + schema + ")");
  }
}
