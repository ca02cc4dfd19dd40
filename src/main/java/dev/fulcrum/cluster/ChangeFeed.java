package dev.fulcrum.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.model.Acl;
import dev.fulcrum.model.BasicAuthCredential;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import dev.fulcrum.model.Plugin;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.SecretEntities;
import dev.fulcrum.model.Vault;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
  private static final long CACHE_DELAY_MILLIS = 1000;
  private static final long MAX_RETRY_MILLIS = 5000;
  private static final List<EntityType> KONG = Entities.ALL;

  private final Store store;
  private final KongCompiler compiler;
  private final SnapshotHolder holder;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean pollQueued = new AtomicBoolean();
  /** Where a cluster node keeps its last configuration; null for the embedded store. */
  private final ConfigCache cache;
  private final AtomicBoolean saveQueued = new AtomicBoolean();
  /** What the node caches from the database: the entities an event names are dropped from it. */
  private final NodeCache nodeCache;
  private long applied;
  private long periodMillis = MAX_RETRY_MILLIS;
  /** The pause before the next try while the database is away (config thread only). */
  private long retryMillis;
  private boolean retryQueued;
  /** The newest event another node announced (NOTIFY), and the pause before chasing it again. */
  private final AtomicLong announced = new AtomicLong();
  private long chaseMillis;
  /** When the log was last read in full (System.nanoTime). */
  private long lastRead;
  private volatile boolean storeDown;

  /**
   * @param cacheDir where to keep a copy of the configuration for starts while the database is
   *     away (the node's prefix), or null for none
   */
  private final Map<String, java.util.function.Consumer<String>> listeners = new java.util.concurrent.ConcurrentHashMap<>();

  public ChangeFeed(Store store, KongCompiler compiler, SnapshotHolder holder, java.nio.file.Path cacheDir,
      NodeCache nodeCache) {
    this.store = store;
    this.nodeCache = nodeCache;
    this.compiler = compiler;
    this.holder = holder;
    this.cache = cacheDir == null ? null : new ConfigCache(cacheDir);
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fulcrum-config");
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs {@code handler} with the data of every event of {@code channel} (one that changes no entity). */
  public void listen(String channel, java.util.function.Consumer<String> handler) {
    listeners.put(channel, handler);
  }

  /** Compiles the first snapshot (blocking), then follows the change log. */
  public void start(double pollSeconds) {
    try {
      executor.submit(this::initial).get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the initial configuration: " + e.getMessage(), e);
    }
    store.onCommit(this::wake);
    store.onRemoteChange(this::announced);
    periodMillis = Math.max(1, (long) (pollSeconds * 1000));
    executor.scheduleWithFixedDelay(this::pollSafely, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    if (storeDown) {
      wake(); // started from the kept copy: try the database again and again until it answers
    }
  }

  private void initial() {
    try {
      holder.setKong(compiler.apply(reloadAll(), changesOf(readAll())));
      saveCacheSoon();
    } catch (StoreException e) {
      ConfigCache.Contents cached = e.unreachable() && cache != null ? cache.read(KONG) : null;
      if (cached == null) {
        throw e;
      }
      applied = cached.event();
      // As old as the copy: a copy older than the log's memory makes the first poll reload all.
      lastRead = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(
          Math.max(0, System.currentTimeMillis() - cached.writtenAtMillis()));
      holder.setKong(compiler.apply(applied, changesOf(cached.entities())));
      storeDown = true;
      LOG.warn("database unreachable ({}); serving the configuration kept in {} until it is back",
          e.getMessage(), cache.file());
    }
  }

  /** Whether a node with this prefix kept a copy of its configuration. */
  public static boolean hasCachedCopy(java.nio.file.Path prefix) {
    return java.nio.file.Files.isRegularFile(new ConfigCache(prefix).file());
  }

  /** Whether this node started from its kept copy and has not reached the database since. */
  public boolean servingCachedCopy() {
    return storeDown;
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

  private Map<EntityType, List<ObjectNode>> readAll() {
    return store.readConfig(tx -> {
      Map<EntityType, List<ObjectNode>> all = new LinkedHashMap<>();
      for (EntityType type : KONG) {
        all.put(type, tx.all(type));
      }
      return all;
    });
  }

  private static KongChanges changesOf(Map<EntityType, List<ObjectNode>> docs) {
    KongChanges c = new KongChanges();
    docs.forEach((type, list) -> list.forEach(doc -> put(c, type, doc.get("id").asText(), doc)));
    return c;
  }

  /** Rewrites the kept copy a little after a change (a burst of changes writes it once). */
  private void saveCacheSoon() {
    if (cache != null && saveQueued.compareAndSet(false, true)) {
      executor.schedule(this::saveCache, CACHE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void saveCache() {
    saveQueued.set(false);
    long event = applied;
    try {
      cache.write(event, readAll());
    } catch (StoreException | java.io.IOException e) {
      LOG.warn("cannot keep a copy of the configuration in {}: {}", cache.file(), e.getMessage());
    }
  }

  /**
   * Another node committed event {@code id}: poll now, and again (after 20 ms, doubling up to
   * 1 s) until it is read. A read replica may not have it yet when the NOTIFY arrives from the
   * primary; this covers its lag without waiting for the next db_update_frequency poll.
   */
  void announced(long id) {
    announced.accumulateAndGet(id, Math::max);
    wake();
  }

  /** Polls again soon when an announced event is not read yet. */
  private void chaseAnnounced() {
    if (applied >= announced.get()) {
      chaseMillis = 0;
      return;
    }
    chaseMillis = chaseMillis == 0 ? 20 : Math.min(1000, chaseMillis * 2);
    executor.schedule(this::wake, chaseMillis, TimeUnit.MILLISECONDS);
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
      retryMillis = 0;
      chaseAnnounced();
      if (storeDown) {
        storeDown = false;
        LOG.info("database reachable again; following changes");
      }
    } catch (StoreException e) {
      if (!storeDown) {
        storeDown = true;
        LOG.warn("cannot read changes from the database, serving the last configuration: {}", e.getMessage());
      }
      retrySoon();
    } catch (RuntimeException e) {
      // A configuration this node cannot compile is a bug; keep serving the last good one.
      LOG.error("cannot apply configuration changes; serving the last configuration", e);
    }
  }

  /**
   * While the database is away, tries again after a pause that grows from 0.1 s to 5 s (or the
   * poll interval, when shorter), so the node is back soon after the database, whatever
   * db_update_frequency says.
   */
  private void retrySoon() {
    retryMillis = Math.min(Math.min(MAX_RETRY_MILLIS, periodMillis), retryMillis == 0 ? 100 : retryMillis * 2);
    if (!retryQueued) {
      retryQueued = true;
      executor.schedule(() -> {
        retryQueued = false;
        pollSafely();
      }, retryMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void poll() {
    if (System.nanoTime() - lastRead > TimeUnit.SECONDS.toNanos(ChangeEvent.KEEP_SECONDS / 2)) {
      long version = reloadAll();
      nodeCache.purge(); // events it would have heard of are gone
      holder.setKong(compiler.replaceAll(version, changesOf(readAll())));
      saveCacheSoon();
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
          invalidate(e.data());
        } else if (ChangeEvent.POST_HEALTH.equals(e.channel())) {
          health.add(e.data());
        } else if (listeners.containsKey(e.channel())) {
          listeners.get(e.channel()).accept(e.data());
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
    if (!changed.isEmpty()) {
      saveCacheSoon();
    }
    LOG.debug("configuration updated to event {} ({} entities)", newest, changes.size());
  }

  /** Drops the entity an event ({@code <entity>:<op>:<id>}) names from the node cache. */
  private void invalidate(String data) {
    int first = data.indexOf(':');
    int last = data.lastIndexOf(':');
    if (first > 0 && last > first) {
      nodeCache.invalidate(NodeCache.key(data.substring(0, first), data.substring(last + 1)));
    }
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
    } else if (type == PluginEntities.PLUGINS) {
      c.plugin(id, doc == null ? null : Plugin.from(doc));
    } else if (type == PluginEntities.CONSUMERS) {
      c.consumer(id, doc == null ? null : Consumer.from(doc));
    } else if (type == PluginEntities.KEYAUTH_CREDENTIALS) {
      c.key(id, doc == null ? null : KeyCredential.from(doc));
    } else if (type == SecretEntities.VAULTS) {
      c.vault(id, doc == null ? null : Vault.from(doc));
    } else if (type == PluginEntities.BASICAUTH_CREDENTIALS) {
      c.basicAuth(id, doc == null ? null : BasicAuthCredential.from(doc));
    } else if (type == PluginEntities.ACLS) {
      c.acl(id, doc == null ? null : Acl.from(doc));
    } else if (type == Entities.TARGETS) {
      c.target(id, doc == null ? null : Target.from(doc));
    }
    // Keys and key sets: no plugin of this node reads them yet.
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
