package dev.fulcrum.store.jdbc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Json;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.InvalidOffsetException;
import dev.fulcrum.store.Page;
import dev.fulcrum.store.PageRequest;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.StoreTx;
import dev.fulcrum.store.UniqueViolationException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} over JDBC. Subclasses say how to get a connection and how their database spells
 * an auto-increment key and reports a unique violation.
 */
public abstract class JdbcStore implements Store {
  private final String nodeId;
  private final List<Runnable> commitListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong committed = new AtomicLong();

  protected JdbcStore(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Runs {@code body} with a connection this thread may use exclusively. */
  protected abstract <T> T withConnection(SqlFunction<T> body);

  /**
   * As {@link #withConnection}, for the node's own configuration reads (the change log and the
   * entities it names): a read replica's when there is one.
   */
  protected <T> T withConfigConnection(SqlFunction<T> body) {
    return withConnection(body);
  }

  protected abstract String autoIdColumn();

  protected abstract boolean isUniqueViolation(SQLException e);

  /**
   * Called in a write transaction just before it commits, when it published change events up to
   * {@code newestEvent} (PostgreSQL sends its NOTIFY here: it is delivered on commit).
   */
  protected void beforeCommit(Connection c, long newestEvent) throws SQLException {}

  /**
   * Called in a write transaction before its first change event is written. A database whose
   * transactions may commit in another order than they take event ids serializes them here, so
   * that a reader that saw event n has seen every event below n that will ever commit.
   */
  protected void beforeFirstPublish(Connection c) throws SQLException {}

  /** Held around migrations so that nodes running them at once take turns. */
  protected void lockMigrations(Connection c) throws SQLException {}

  protected void unlockMigrations(Connection c) throws SQLException {}

  @FunctionalInterface
  protected interface SqlFunction<T> {
    T apply(Connection c) throws SQLException;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  /** Applies pending schema migrations; returns their names. */
  public List<String> migrateUp() {
    return withConnection(
        c -> {
          lockMigrations(c);
          try {
            return Migrations.up(c, autoIdColumn());
          } finally {
            unlockMigrations(c);
          }
        });
  }

  /** The migrations this database has run, in order; empty when it was never bootstrapped. */
  public List<String> executedMigrations() {
    return withConnection(c -> Migrations.executed(c, this::isMissingTable));
  }

  /** The migrations this version has and the database has not run yet. */
  public List<String> pendingMigrations() {
    return Migrations.pending(executedMigrations());
  }

  /** Whether {@code e} says a table does not exist. */
  protected abstract boolean isMissingTable(SQLException e);

  public void reset() {
    withConnection(
        c -> {
          lockMigrations(c);
          try {
            Migrations.reset(c);
          } finally {
            unlockMigrations(c);
          }
          return null;
        });
  }

  @Override
  public <T> T write(Work<T> work) {
    T result = transaction(work, false);
    for (Runnable l : commitListeners) {
      l.run();
    }
    return result;
  }

  @Override
  public <T> T read(Work<T> work) {
    return withConnection(c -> transaction(c, work, true));
  }

  @Override
  public <T> T readConfig(Work<T> work) {
    return withConfigConnection(c -> transaction(c, work, true));
  }

  private <T> T transaction(Work<T> work, boolean readOnly) {
    return withConnection(c -> transaction(c, work, readOnly));
  }

  private <T> T transaction(Connection c, Work<T> work, boolean readOnly) throws SQLException {
    c.setAutoCommit(false);
    try {
      Tx tx = new Tx(c);
      T result = work.run(tx);
      if (!readOnly && tx.published > 0) {
        beforeCommit(c, tx.published);
      }
      c.commit();
      if (tx.published > 0) {
        committed.accumulateAndGet(tx.published, Math::max);
      }
      c.setAutoCommit(true);
      return result;
    } catch (RuntimeException | SQLException e) {
      // On a lost connection these fail too; the first failure is the one to report. Each is
      // tried on its own: SQLite rolls back by itself on some errors (a full disk), and then
      // ROLLBACK fails, but the connection must still leave transaction mode for the next caller.
      try {
        c.rollback();
      } catch (SQLException again) {
        e.addSuppressed(again);
      }
      try {
        c.setAutoCommit(true);
      } catch (SQLException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  @Override
  public List<ChangeEvent> eventsAfter(long afterId, int limit) {
    return withConfigConnection(
        c -> {
          List<ChangeEvent> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, node_id, channel, data FROM cluster_events WHERE id > ? ORDER BY id LIMIT ?")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new ChangeEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public long lastEventId() {
    return withConfigConnection(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("SELECT MAX(id) FROM cluster_events");
              ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        });
  }

  @Override
  public long committedVersion() {
    return committed.get();
  }

  @Override
  public void onCommit(Runnable listener) {
    commitListeners.add(listener);
  }

  @Override
  public boolean reachable() {
    try {
      return withConnection(c -> c.isValid(2));
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Wraps SQL failures: unique violations keep their meaning, lost or refused connections (SQL
   * state class 08) say the database is unreachable, the rest become a StoreException.
   */
  protected RuntimeException translate(SQLException e) {
    if (isUniqueViolation(e)) {
      return new UniqueViolationException(e.getMessage());
    }
    if (isConnectionFailure(e)) {
      return StoreException.unreachable("database unreachable: " + e.getMessage(), e);
    }
    String why = cannotWrite(e);
    if (why != null) {
      return StoreException.cannotWrite(why, e);
    }
    return new StoreException("database error: " + e.getMessage(), e);
  }

  /**
   * Why a failure means nothing can be written now (a full disk, a read-only file or server), or
   * null: SQLite's result codes and PostgreSQL's SQLSTATEs.
   */
  private static String cannotWrite(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if ("53100".equals(state)) {
        return "the disk is full";
      }
      if ("25006".equals(state)) {
        return "the database is read-only";
      }
      if (x instanceof org.sqlite.SQLiteException) {
        switch (((org.sqlite.SQLiteException) x).getResultCode().code & 0xff) {
          case 13: // SQLITE_FULL
            return "the disk is full";
          case 8: // SQLITE_READONLY
            return "the database is read-only";
          case 10: // SQLITE_IOERR
            return "the disk failed to write (" + x.getMessage() + ")";
          default:
            break;
        }
      }
    }
    return null;
  }

  private static boolean isConnectionFailure(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      String state = x.getSQLState();
      if ((state != null && state.startsWith("08")) || x instanceof java.sql.SQLTransientConnectionException) {
        return true;
      }
    }
    return false;
  }

  private final class Tx implements StoreTx {
    private final Connection c;
    /** The newest change event this transaction wrote. */
    long published;

    Tx(Connection c) {
      this.c = c;
    }

    private ObjectNode doc(ResultSet rs) throws SQLException {
      return Json.parseObject(rs.getString("doc"));
    }

    @Override
    public Optional<ObjectNode> get(EntityType type, String id) {
      return query(
          "SELECT doc FROM " + type.name() + " WHERE id = ?", List.of(id)).stream().findFirst();
    }

    @Override
    public Optional<ObjectNode> findUnique(EntityType type, List<String> fields, List<String> values) {
      StringBuilder sql = new StringBuilder("SELECT doc FROM ").append(type.name()).append(" WHERE ");
      List<String> args = new ArrayList<>();
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          sql.append(" AND ");
        }
        // A null value matches an absent reference (a plugin on no route).
        String value = values.get(i);
        sql.append(Tables.quote(Tables.column(type, fields.get(i)))).append(value == null ? " IS NULL" : " = ?");
        if (value != null) {
          args.add(value);
        }
      }
      return query(sql.toString(), args).stream().findFirst();
    }

    @Override
    public List<ObjectNode> all(EntityType type) {
      return query("SELECT doc FROM " + type.name() + " ORDER BY id", List.of());
    }

    @Override
    public List<ObjectNode> children(EntityType type, String foreignField, String parentId) {
      return query(
          "SELECT doc FROM " + type.name() + " WHERE " + Tables.quote(Tables.column(type, foreignField))
              + " = ? ORDER BY id",
          List.of(parentId));
    }

    @Override
    public Page page(EntityType type, PageRequest req) {
      List<Object> args = new ArrayList<>();
      StringBuilder where = new StringBuilder(" WHERE 1 = 1");
      if (req.foreignField() != null) {
        where.append(" AND ").append(Tables.quote(Tables.column(type, req.foreignField()))).append(" = ?");
        args.add(req.foreignId());
      }
      if (req.tags() != null && !req.tags().isEmpty()) {
        where.append(" AND id IN (SELECT entity_id FROM tags WHERE entity_name = ? AND tag IN (");
        args.add(type.name());
        for (int i = 0; i < req.tags().size(); i++) {
          where.append(i == 0 ? "?" : ", ?");
          args.add(req.tags().get(i));
        }
        where.append(") GROUP BY entity_id HAVING COUNT(DISTINCT tag) >= ?)");
        args.add(req.anyTag() ? 1 : req.tags().size());
      }
      boolean newestFirst = type.millisecondTimestamps();
      if (newestFirst) {
        // Targets are listed newest first, as Kong does; their offset is a row count.
        int skip = req.offset() == null ? 0 : parseCount(req.offset());
        List<ObjectNode> rows =
            query(
                "SELECT doc FROM " + type.name() + where + " ORDER BY created_at DESC, id DESC LIMIT "
                    + (req.size() + 1) + " OFFSET " + skip,
                args);
        return trim(rows, req.size(), () -> Integer.toString(skip + req.size()));
      }
      if (req.offset() != null) {
        where.append(" AND id > ?");
        args.add(decodeOffset(req.offset()));
      }
      List<ObjectNode> rows =
          query("SELECT doc FROM " + type.name() + where + " ORDER BY id LIMIT " + (req.size() + 1), args);
      return trim(rows, req.size(), () -> encodeOffset(Json.text(rows.get(req.size() - 1), "id")));
    }

    @Override
    public Page tags(String tag, int size, String offset) {
      // The offset is the row count so far: tags have no single key to continue after.
      int skip = offset == null ? 0 : parseCount(offset);
      List<Object> args = new ArrayList<>();
      String where = "";
      if (tag != null) {
        where = " WHERE tag = ?";
        args.add(tag);
      }
      List<ObjectNode> rows = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT entity_name, entity_id, tag FROM tags" + where
          + " ORDER BY tag, entity_name, entity_id LIMIT " + (size + 1) + " OFFSET " + skip)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows.add(Json.object().put("entity_name", rs.getString(1)).put("entity_id", rs.getString(2))
                .put("tag", rs.getString(3)));
          }
        }
      } catch (SQLException e) {
        throw translate(e);
      }
      return trim(rows, size, () -> Integer.toString(skip + size));
    }

    private Page trim(List<ObjectNode> rows, int size, java.util.function.Supplier<String> next) {
      if (rows.size() > size) {
        String offset = next.get();
        return new Page(new ArrayList<>(rows.subList(0, size)), offset);
      }
      return new Page(rows, null);
    }

    @Override
    public void insert(EntityType type, ObjectNode entity) {
      List<String> cols = Tables.columns(type);
      StringBuilder sql = new StringBuilder("INSERT INTO ").append(type.name()).append(" (id, ");
      StringBuilder qs = new StringBuilder("?, ");
      for (String col : cols) {
        sql.append(Tables.quote(col)).append(", ");
        qs.append("?, ");
      }
      sql.append("created_at, doc) VALUES (").append(qs).append("?, ?)");
      List<Object> args = new ArrayList<>();
      args.add(Json.text(entity, "id"));
      for (String col : cols) {
        args.add(Tables.value(type, entity, col));
      }
      args.add(Tables.createdAt(entity));
      args.add(Json.write(entity));
      execute(sql.toString(), args);
      writeTags(type, entity);
    }

    @Override
    public void update(EntityType type, ObjectNode entity) {
      List<String> cols = Tables.columns(type);
      StringBuilder sql = new StringBuilder("UPDATE ").append(type.name()).append(" SET ");
      List<Object> args = new ArrayList<>();
      for (String col : cols) {
        sql.append(Tables.quote(col)).append(" = ?, ");
        args.add(Tables.value(type, entity, col));
      }
      sql.append("created_at = ?, doc = ? WHERE id = ?");
      args.add(Tables.createdAt(entity));
      args.add(Json.write(entity));
      args.add(Json.text(entity, "id"));
      execute(sql.toString(), args);
      execute("DELETE FROM tags WHERE entity_name = ? AND entity_id = ?", List.of(type.name(), Json.text(entity, "id")));
      writeTags(type, entity);
    }

    @Override
    public void delete(EntityType type, String id) {
      execute("DELETE FROM " + type.name() + " WHERE id = ?", List.of(id));
      execute("DELETE FROM tags WHERE entity_name = ? AND entity_id = ?", List.of(type.name(), id));
    }

    @Override
    public long publish(String channel, String data) {
      try {
        if (published == 0) {
          beforeFirstPublish(c);
          expireEvents();
        }
      } catch (SQLException e) {
        throw translate(e);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO cluster_events (node_id, at, channel, data) VALUES (?, ?, ?, ?)",
          java.sql.Statement.RETURN_GENERATED_KEYS)) {
        bind(ps, List.of(nodeId, System.currentTimeMillis() / 1000.0, channel, data));
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          long id = keys.next() ? keys.getLong(1) : 0;
          published = Math.max(published, id);
          return id;
        }
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    /**
     * Deletes a few events older than {@link ChangeEvent#KEEP_SECONDS} with every write (as
     * Kong's cluster_events trigger does), so the log cleans itself without a job of its own.
     */
    private void expireEvents() {
      // The oldest few by id (an index walk of four rows, whatever the log's length), deleted
      // when expired: ids grow with time, so nothing older hides further on.
      execute("DELETE FROM cluster_events WHERE id IN (SELECT id FROM (SELECT id, at FROM cluster_events"
              + " ORDER BY id LIMIT 4) oldest WHERE at < ?)",
          List.of(System.currentTimeMillis() / 1000.0 - ChangeEvent.KEEP_SECONDS));
    }

    private void writeTags(EntityType type, ObjectNode entity) {
      var tags = entity.get("tags");
      if (tags == null || !tags.isArray()) {
        return;
      }
      for (var tag : tags) {
        execute(
            "INSERT INTO tags (entity_name, entity_id, tag) VALUES (?, ?, ?)",
            List.of(type.name(), Json.text(entity, "id"), tag.asText()));
      }
    }

    private List<ObjectNode> query(String sql, List<?> args) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, args);
        List<ObjectNode> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(doc(rs));
          }
        }
        return out;
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    private void execute(String sql, List<?> args) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        bind(ps, args);
        ps.executeUpdate();
      } catch (SQLException e) {
        throw translate(e);
      }
    }

    private void bind(PreparedStatement ps, List<?> args) throws SQLException {
      for (int i = 0; i < args.size(); i++) {
        Object a = args.get(i);
        if (a instanceof Double) {
          ps.setDouble(i + 1, (Double) a);
        } else if (a instanceof Integer) {
          ps.setInt(i + 1, (Integer) a);
        } else if (a == null) {
          ps.setNull(i + 1, java.sql.Types.VARCHAR);
        } else {
          ps.setString(i + 1, a.toString());
        }
      }
    }
  }

  static String encodeOffset(String id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeOffset(String token) {
    try {
      String id = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (!dev.fulcrum.model.Ids.isUuid(id)) {
        throw new InvalidOffsetException("'" + token + "' is not a valid offset: bad base64 encoding");
      }
      return id;
    } catch (IllegalArgumentException e) {
      throw new InvalidOffsetException("'" + token + "' is not a valid offset: bad base64 encoding");
    }
  }

  private static int parseCount(String token) {
    try {
      int n = Integer.parseInt(token);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidOffsetException("'" + token + "' is not a valid offset: bad base64 encoding");
    }
  }
}
