package dev.fulcrum.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.fulcrum.conf.PgSettings;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.jdbc.JdbcStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * The shared store of a cluster: PostgreSQL through a small HikariCP pool (pgjdbc), the node's
 * configuration reads on a read replica when {@code pg_ro_host} is set. Change events are
 * numbered under a transaction-scoped advisory lock, so they commit in the order of their ids and
 * a reader never skips one that commits late; each write that publishes also sends a NOTIFY,
 * which {@link PgListener} turns into an immediate poll on every node.
 */
public final class PostgresStore extends JdbcStore {
  /** Advisory lock keys: "Fulcrum" in ASCII, then which lock. */
  private static final long EVENTS_LOCK = 0x46756c6372756d01L;
  private static final long MIGRATIONS_LOCK = 0x46756c6372756d02L;
  private static final int POOL_SIZE = 4;

  private final PgSettings settings;
  private final HikariDataSource primary;
  private final HikariDataSource replica;
  private final String channel;
  private final CopyOnWriteArrayList<LongConsumer> remoteListeners = new CopyOnWriteArrayList<>();
  private PgListener listener;

  private PostgresStore(String nodeId, PgSettings settings, PgSettings replicaSettings) {
    super(nodeId);
    this.settings = settings;
    this.primary = pool(settings, "fulcrum-pg");
    this.replica = replicaSettings == null ? null : pool(replicaSettings, "fulcrum-pg-ro");
    this.channel = "fulcrum_events" + (settings.schema().isEmpty() ? "" : "_" + settings.schema());
  }

  /**
   * Opens the pools and checks that the primary answers; a database that cannot be used for a
   * reason a setting explains (host, user, password, database) fails with that setting's name.
   *
   * @param replica the read replica, or null
   */
  public static PostgresStore open(PgSettings primary, PgSettings replica, String nodeId) {
    return open(primary, replica, nodeId, false);
  }

  /** As above; with {@code evenIfUnreachable}, a database that does not answer now is no failure. */
  public static PostgresStore open(PgSettings primary, PgSettings replica, String nodeId, boolean evenIfUnreachable) {
    PostgresStore store = new PostgresStore(nodeId, primary, replica);
    try {
      store.withConnection(c -> null);
      return store;
    } catch (StoreException e) {
      if (evenIfUnreachable && e.unreachable()) {
        return store;
      }
      store.close();
      throw e;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static HikariDataSource pool(PgSettings s, String name) {
    HikariConfig c = new HikariConfig();
    c.setPoolName(name);
    c.setJdbcUrl(s.jdbcUrl());
    c.setDataSourceProperties(connectionProperties(s));
    c.setMaximumPoolSize(POOL_SIZE);
    c.setMinimumIdle(1);
    c.setConnectionTimeout(Math.max(250, s.timeoutMillis()));
    c.setValidationTimeout(Math.max(250, Math.min(5000, s.timeoutMillis())));
    // The node decides what an unreachable database means (start from its cache, or fail with
    // a message naming the setting); the pool must not throw its own error at construction.
    c.setInitializationFailTimeout(-1);
    return new HikariDataSource(c);
  }

  static Properties connectionProperties(PgSettings s) {
    Properties p = new Properties();
    p.setProperty("user", s.user());
    if (!s.password().isEmpty()) {
      p.setProperty("password", s.password());
    }
    if (!s.schema().isEmpty()) {
      p.setProperty("currentSchema", s.schema());
    }
    int seconds = Math.max(1, (s.timeoutMillis() + 999) / 1000);
    p.setProperty("connectTimeout", Integer.toString(seconds));
    p.setProperty("loginTimeout", Integer.toString(seconds));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", "fulcrum");
    return p;
  }

  /** A connection of its own, outside the pool (LISTEN holds one for the node's life). */
  Connection connectDirect() throws SQLException {
    return DriverManager.getConnection(settings.jdbcUrl(), connectionProperties(settings));
  }

  String channel() {
    return channel;
  }

  @Override
  protected <T> T withConnection(SqlFunction<T> body) {
    return with(primary, body);
  }

  @Override
  protected <T> T withConfigConnection(SqlFunction<T> body) {
    return with(replica == null ? primary : replica, body);
  }

  private <T> T with(HikariDataSource pool, SqlFunction<T> body) {
    try (Connection c = pool.getConnection()) {
      return body.apply(c);
    } catch (SQLException e) {
      throw translate(e);
    }
  }

  @Override
  protected RuntimeException translate(SQLException e) {
    String setting = PgErrors.settingAtFault(e);
    if (setting != null) {
      return new StoreException(setting + ": " + PgErrors.describe(e, settings));
    }
    return super.translate(e);
  }

  @Override
  protected String autoIdColumn() {
    return "BIGSERIAL PRIMARY KEY";
  }

  @Override
  protected boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  @Override
  protected boolean isMissingTable(SQLException e) {
    return "42P01".equals(e.getSQLState());
  }

  @Override
  protected void beforeFirstPublish(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
      ps.setLong(1, EVENTS_LOCK);
      ps.execute();
    }
  }

  @Override
  protected void beforeCommit(Connection c, long newestEvent) throws SQLException {
    if (!settings.notifyChanges()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, nodeId() + ":" + newestEvent);
      ps.execute();
    }
  }

  @Override
  protected void lockMigrations(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
      ps.setLong(1, MIGRATIONS_LOCK);
      ps.execute();
    }
    // pg_schema names where the tables go; bootstrap makes it when it is missing.
    if (!settings.schema().isEmpty()) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(settings.schema()));
      }
    }
  }

  @Override
  protected void unlockMigrations(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      ps.setLong(1, MIGRATIONS_LOCK);
      ps.execute();
    }
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  @Override
  public synchronized void onRemoteChange(LongConsumer l) {
    remoteListeners.add(l);
    if (listener == null && settings.notifyChanges()) {
      listener = new PgListener(this, event -> remoteListeners.forEach(r -> r.accept(event)));
      listener.start();
    }
  }

  @Override
  public String kind() {
    return "postgres";
  }

  @Override
  public synchronized void close() {
    if (listener != null) {
      listener.close();
    }
    primary.close();
    if (replica != null) {
      replica.close();
    }
  }
}
