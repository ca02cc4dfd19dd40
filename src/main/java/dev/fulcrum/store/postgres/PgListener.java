package dev.fulcrum.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a LISTEN on the primary (notifications are not replicated to standbys) on a thread of its
 * own, and calls {@code wake} with the event id of every notification from another node, and
 * with 0 each time it has (re)connected, since notifications sent while it was away are lost. It
 * reconnects on its own with a growing pause (0.1 s doubling up to 5 s). A lost notification costs at most one
 * {@code db_update_frequency}: the change feed's polling stays the backstop.
 */
final class PgListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgListener.class);
  private static final long FIRST_PAUSE_MILLIS = 100;
  private static final long MAX_PAUSE_MILLIS = 5000;
  /** How long one wait for notifications lasts, so that close() is noticed. */
  private static final int WAIT_MILLIS = 500;

  private final PostgresStore store;
  private final LongConsumer wake;
  private final String ownPrefix;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Connection connection;

  PgListener(PostgresStore store, LongConsumer wake) {
    this.store = store;
    this.wake = wake;
    this.ownPrefix = store.nodeId() + ":";
    this.thread = new Thread(this::run, "fulcrum-pg-listen");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    long pause = FIRST_PAUSE_MILLIS;
    boolean failing = false;
    while (!closed) {
      try (Connection c = store.connectDirect()) {
        connection = c;
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + PostgresStore.quote(store.channel()));
        }
        if (failing) {
          LOG.info("listening for changes again");
          failing = false;
        }
        pause = FIRST_PAUSE_MILLIS;
        wake.accept(0);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] batch = pg.getNotifications(WAIT_MILLIS);
          long newest = batch == null ? -1 : newestFromOthers(batch);
          if (newest >= 0) {
            wake.accept(newest);
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          break;
        }
        if (!failing) {
          LOG.warn("lost the database notification channel ({}); polling every db_update_frequency until it is back",
              e.getMessage());
          failing = true;
        }
        sleep(pause);
        pause = Math.min(MAX_PAUSE_MILLIS, pause * 2);
      } finally {
        connection = null;
      }
    }
  }

  /** The newest event id other nodes announced in {@code batch}, or -1 when all were ours. */
  private long newestFromOthers(PGNotification[] batch) {
    long newest = -1;
    for (PGNotification n : batch) {
      String payload = n.getParameter();
      if (payload != null && payload.startsWith(ownPrefix)) {
        continue;
      }
      long id = 0;
      try {
        id = Long.parseLong(payload.substring(payload.lastIndexOf(':') + 1));
      } catch (RuntimeException e) {
        // not one of ours: poll all the same
      }
      newest = Math.max(newest, id);
    }
    return newest;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.debug("closing the LISTEN connection: {}", e.getMessage());
      }
    }
    thread.interrupt();
  }
}
