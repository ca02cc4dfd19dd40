package dev.fulcrum.store.embedded;

import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.jdbc.JdbcStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * The default store: one SQLite file under the node's prefix. SQLite has one writer at a time, so
 * one connection serves every caller in turn.
 */
public final class EmbeddedStore extends JdbcStore {
  public static final String FILE_NAME = "fulcrum.db";

  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();
  private final Path file;

  private EmbeddedStore(String nodeId, Path file, Connection connection) {
    super(nodeId);
    this.file = file;
    this.connection = connection;
  }

  /** Opens (creating if needed) the database under {@code prefix}; call migrateUp to bootstrap. */
  public static EmbeddedStore open(Path prefix, String nodeId) {
    try {
      Files.createDirectories(prefix);
    } catch (IOException e) {
      throw new StoreException("cannot create prefix directory " + prefix + ": " + e.getMessage(), e);
    }
    Path file = prefix.resolve(FILE_NAME);
    if (Files.exists(file) && !Files.isWritable(prefix)) {
      return openReadOnly(nodeId, file);
    }
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute("PRAGMA foreign_keys=OFF");
      }
      return new EmbeddedStore(nodeId, file, c);
    } catch (SQLException e) {
      throw new StoreException("cannot open embedded database " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The database of a prefix on a read-only file system (mounted so, or remounted after disk
   * errors): the node serves the configuration it holds, and every write fails as SQLite's
   * SQLITE_READONLY, which the Admin API answers 503. {@code immutable} lets SQLite read a WAL
   * database without the shared-memory file it could not create.
   */
  private static EmbeddedStore openReadOnly(String nodeId, Path file) {
    LoggerFactory.getLogger(EmbeddedStore.class).warn(
        "{} is on a read-only file system: serving its configuration, refusing changes", file);
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setOpenMode(SQLiteOpenMode.OPEN_URI);
      Connection c = DriverManager.getConnection(
          "jdbc:sqlite:file:" + file.toAbsolutePath() + "?immutable=1", config.toProperties());
      return new EmbeddedStore(nodeId, file, c);
    } catch (SQLException e) {
      throw new StoreException("cannot open embedded database " + file + " (read-only): " + e.getMessage(), e);
    }
  }

  /**
   * A store in memory, gone with the process: a DB-less node's configuration (loaded from its
   * declarative file or {@code POST /config}), and {@code config parse}'s scratch space.
   */
  public static EmbeddedStore inMemory(String nodeId) {
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA foreign_keys=OFF");
      }
      return new EmbeddedStore(nodeId, null, c);
    } catch (SQLException e) {
      throw new StoreException("cannot open an in-memory database: " + e.getMessage(), e);
    }
  }

  /** The database file, or null for a store in memory. */
  public Path file() {
    return file;
  }

  @Override
  protected <T> T withConnection(SqlFunction<T> body) {
    lock.lock();
    try {
      return body.apply(connection);
    } catch (SQLException e) {
      throw translate(e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  protected String autoIdColumn() {
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }

  @Override
  protected boolean isUniqueViolation(SQLException e) {
    String m = e.getMessage();
    return m != null && m.contains("UNIQUE constraint failed");
  }

  @Override
  protected boolean isMissingTable(SQLException e) {
    String m = e.getMessage();
    return m != null && m.contains("no such table");
  }

  @Override
  public String kind() {
    return "embedded";
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing embedded database: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }
}
