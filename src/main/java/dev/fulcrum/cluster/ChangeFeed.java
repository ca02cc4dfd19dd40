package dev.fulcrum.cluster;

import dev.fulcrum.runtime.ConfigSnapshot;
import dev.fulcrum.runtime.SnapshotCompiler;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.StoreException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies configuration changes to this node. It reads the store's change log after every local
 * commit and every {@code db_update_frequency} seconds, and recompiles the snapshot when new events
 * arrived; the writer and every other node take the same path. All of it runs on one thread of its
 * own, never on an event loop. When the store is unreachable the node keeps its last snapshot.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  private static final int BATCH = 1000;

  private final Store store;
  private final SnapshotCompiler compiler;
  private final SnapshotHolder holder;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  private long applied;
  private volatile boolean storeDown;

  public ChangeFeed(Store store, SnapshotCompiler compiler, SnapshotHolder holder) {
    this.store = store;
    this.compiler = compiler;
    this.holder = holder;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fulcrum-config");
              t.setDaemon(true);
              return t;
            });
  }

  /** Compiles the first snapshot (blocking), then follows the change log. */
  public void start(double pollSeconds) {
    try {
      executor.submit(this::initial).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the initial configuration: " + e.getMessage(), e);
    }
    store.onCommit(this::wake);
    long periodMillis = Math.max(1, (long) (pollSeconds * 1000));
    executor.scheduleWithFixedDelay(this::pollSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void initial() {
    applied = store.lastEventId();
    holder.set(compiler.compile(store, applied));
  }

  /** Asks for a poll as soon as possible (coalesced). */
  public void wake() {
    if (pollQueued.compareAndSet(false, true)) {
      executor.execute(
          () -> {
            pollQueued.set(false);
            pollSafely();
          });
    }
  }

  private void pollSafely() {
    try {
      poll();
      if (storeDown) {
        storeDown = false;
        LOG.info("database reachable again; following changes");
      }
    } catch (StoreException e) {
      if (!storeDown) {
        storeDown = true;
        LOG.warn("cannot read changes from the database, serving the last configuration: {}", e.getMessage());
      }
    } catch (RuntimeException e) {
      // A configuration this node cannot compile is a bug; keep serving the last good one.
      LOG.error("cannot apply configuration changes; serving the last configuration", e);
    }
  }

  private void poll() {
    long newest = applied;
    while (true) {
      List<ChangeEvent> events = store.eventsAfter(newest, BATCH);
      if (events.isEmpty()) {
        break;
      }
      newest = events.get(events.size() - 1).id();
      if (events.size() < BATCH) {
        break;
      }
    }
    if (newest == applied) {
      return;
    }
    ConfigSnapshot next = compiler.compile(store, newest);
    applied = newest;
    holder.set(next);
    LOG.debug("configuration updated to event {}", newest);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
