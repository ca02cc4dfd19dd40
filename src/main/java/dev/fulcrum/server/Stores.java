package dev.fulcrum.server;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.PgSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.store.postgres.PostgresStore;
import java.util.List;

/** Opens the store the settings name, for a node and for the {@code migrations} command. */
public final class Stores {
  /** The command that bootstraps a database, as messages name it. */
  public static final String BOOTSTRAP = "fulcrum migrations bootstrap";

  private Stores() {}

  /**
   * The embedded store or PostgreSQL, connected, not migrated. A reason a setting explains comes
   * as a SettingsException naming it.
   */
  public static JdbcStore open(NodeSettings settings, String nodeId) {
    return open(settings, nodeId, false);
  }

  /**
   * As {@link #open(NodeSettings, String)}; with {@code evenIfUnreachable}, a PostgreSQL store is
   * returned though the database does not answer now (a node that can serve its kept copy).
   */
  public static JdbcStore open(NodeSettings settings, String nodeId, boolean evenIfUnreachable) {
    switch (settings.database()) {
      case EMBEDDED:
        return EmbeddedStore.open(settings.prefix(), nodeId);
      case POSTGRES:
        PgSettings pg = PgSettings.primary(settings);
        try {
          return PostgresStore.open(pg, PgSettings.replica(settings), nodeId, evenIfUnreachable);
        } catch (StoreException e) {
          throw explain(e, pg);
        }
      default:
        throw new SettingsException("database", settings.get("database"), "this command needs a database");
    }
  }

  /** The failure in a setting's words, when a setting explains it. */
  public static RuntimeException explain(StoreException e, NodeSettings settings) {
    return settings.database() == NodeSettings.Database.POSTGRES ? explain(e, PgSettings.primary(settings)) : e;
  }

  private static RuntimeException explain(StoreException e, PgSettings pg) {
    if (e.unreachable()) {
      return new SettingsException("pg_host: cannot connect to PostgreSQL at " + pg.host() + ":" + pg.port()
          + " (" + rootMessage(e) + ")");
    }
    String m = e.getMessage();
    return m != null && m.startsWith("pg_") ? new SettingsException(m) : e;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).replace('\n', ' ');
  }

  /**
   * Stops a start on a database that is not ready, with Kong's messages naming the command to run.
   */
  public static void checkSchema(JdbcStore store) {
    List<String> executed = store.executedMigrations();
    if (executed.isEmpty()) {
      throw new SettingsException("Database needs bootstrapping; run '" + BOOTSTRAP + "'");
    }
    if (!store.pendingMigrations().isEmpty()) {
      throw new SettingsException("New migrations available; run 'fulcrum migrations up' to proceed");
    }
  }
}
