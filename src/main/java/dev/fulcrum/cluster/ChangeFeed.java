package dev.fulcrum.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.runtime.KongChanges;
import dev.fulcrum.runtime.KongCompiler;
import dev.fulcrum.runtime.KongPart;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.StoreTx;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies configuration changes to this node. It reads the store's change log after every local
 * commit and every {@code db_update_frequency} seconds, reads the entities the new events name,
 * and has the compiler apply just those; the writer and every other node take the same path. A
 * burst of writes is read and compiled once: a poll asked for while one runs becomes one more
 * poll. All of it runs on one thread of its own, never on an event loop. When the store is
 * unreachable the node keeps its last snapshot.
 */
public final class ChangeFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeed.class);
  private static final int BATCH = 1000;
  private static final List<EntityType> KONG = List.of(Entities.SERVICES, Entities.ROUTES, Entities.UPSTREAMS,
      Entities.TARGETS);

  private final Store store;
  private final KongCompiler compiler;
  private final SnapshotHolder holder;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  private long applied;
  /** When the log was last read in full (System.nanoTime). */
  private long lastRead;
  private volatile boolean storeDown;

  public ChangeFeed(Store store, KongCompiler compiler, SnapshotHolder holder) {
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
    store.onRemoteChange(this::wake);
    long periodMillis = Math.max(1, (long) (pollSeconds * 1000));
    executor.scheduleWithFixedDelay(this::pollSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void initial() {
    holder.setKong(compiler.apply(reloadAll(), readAll()));
  }

  /**
   * Reads the whole configuration: at start, and when this node has not read the log for so long
   * that events it never saw may have expired. Returns the log position it stands for (read
   * first, so nothing written meanwhile is missed: it is read again by the next poll).
   */
  private long reloadAll() {
    applied = store.lastEventId();
    lastRead = System.nanoTime();
    return applied;
  }

  private KongChanges readAll() {
    return store.readConfig(tx -> {
      KongChanges c = new KongChanges();
      for (EntityType type : KONG) {
        for (ObjectNode doc : tx.all(type)) {
          put(c, type, doc.get("id").asText(), doc);
        }
      }
      return c;
    });
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
    if (System.nanoTime() - lastRead > TimeUnit.SECONDS.toNanos(ChangeEvent.KEEP_SECONDS / 2)) {
      long version = reloadAll();
      holder.setKong(compiler.replaceAll(version, readAll()));
      LOG.info("configuration reloaded in full at event {} (the change log was out of reach for long)", version);
      return;
    }
    long newest = applied;
    Set<String> changed = new LinkedHashSet<>();
    List<String> health = new java.util.ArrayList<>();
    while (true) {
      List<ChangeEvent> events = store.eventsAfter(newest, BATCH);
      if (events.isEmpty()) {
        break;
      }
      for (ChangeEvent e : events) {
        if (ChangeEvent.INVALIDATIONS.equals(e.channel())) {
          changed.add(e.data());
        } else if (ChangeEvent.POST_HEALTH.equals(e.channel())) {
          health.add(e.data());
        }
      }
      newest = events.get(events.size() - 1).id();
      if (events.size() < BATCH) {
        break;
      }
    }
    lastRead = System.nanoTime();
    if (newest == applied) {
      return;
    }
    KongChanges changes = changed.isEmpty() ? new KongChanges() : store.readConfig(tx -> read(tx, changed));
    KongPart part = compiler.apply(newest, changes);
    // After the entities: a target created in the same burst has its balancer by now.
    health.forEach(h -> applyHealth(part, h));
    holder.setKong(part);
    applied = newest;
    LOG.debug("configuration updated to event {} ({} entities)", newest, changes.size());
  }

  /** A manual health change ({@code <upstream id>|<target>|<1 or 0>}), as on the node that took it. */
  private static void applyHealth(KongPart part, String data) {
    String[] f = data.split("\\|");
    if (f.length != 3) {
      return;
    }
    Backend backend = part.upstreamById(f[0]);
    UpstreamTarget target = backend == null ? null : backend.target(f[1]);
    if (target != null) {
      backend.setHealth(target, f[2].equals("1"), "set by the Admin API");
    }
  }

  /** The entities events name ({@code <entity>:<op>:<id>}) as they are now: gone ones as null. */
  private static KongChanges read(StoreTx tx, Set<String> events) {
    KongChanges c = new KongChanges();
    Set<String> seen = new LinkedHashSet<>();
    for (String data : events) {
      int first = data.indexOf(':');
      int last = data.lastIndexOf(':');
      if (first < 0 || last <= first) {
        continue;
      }
      EntityType type = Entities.byName(data.substring(0, first));
      String id = data.substring(last + 1);
      if (type == null || !KONG.contains(type) || !seen.add(type.name() + ":" + id)) {
        continue;
      }
      put(c, type, id, tx.get(type, id).orElse(null));
    }
    return c;
  }

  private static void put(KongChanges c, EntityType type, String id, ObjectNode doc) {
    if (type == Entities.SERVICES) {
      c.service(id, doc == null ? null : Service.from(doc));
    } else if (type == Entities.ROUTES) {
      c.route(id, doc == null ? null : Route.from(doc));
    } else if (type == Entities.UPSTREAMS) {
      c.upstream(id, doc == null ? null : Upstream.from(doc));
    } else {
      c.target(id, doc == null ? null : Target.from(doc));
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
