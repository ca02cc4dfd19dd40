package dev.fulcrum.store.postgres;

import dev.fulcrum.conf.PgSettings;
import java.net.UnknownHostException;
import java.sql.SQLException;

/** Which {@code pg_*} setting a PostgreSQL failure points at, for one-line start-up errors. */
final class PgErrors {
  private PgErrors() {}

  /** The setting to name, or null when the failure is not one a setting explains. */
  static String settingAtFault(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException) {
        return "pg_host";
      }
      if (t instanceof SQLException) {
        String state = ((SQLException) t).getSQLState();
        if ("28P01".equals(state)) {
          return "pg_password";
        }
        if ("28000".equals(state)) {
          return "pg_user";
        }
        if ("3D000".equals(state)) {
          return "pg_database";
        }
        if ("3F000".equals(state)) {
          return "pg_schema";
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /** The server's own words (the innermost message), and where we tried. */
  static String describe(SQLException e, PgSettings where) {
    Throwable inner = e;
    while (inner.getCause() != null && inner.getCause() != inner) {
      inner = inner.getCause();
    }
    String message = inner.getMessage() == null ? inner.toString() : inner.getMessage();
    if (inner instanceof UnknownHostException) {
      message = "unknown host " + message;
    }
    return message.replace('\n', ' ') + " (" + where + ")";
  }
}
