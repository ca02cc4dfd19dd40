package dev.fulcrum.cluster;

import dev.fulcrum.store.StoreException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a node caches from the database, with Kong's rules ({@code kong.cache}): a value stays
 * {@code db_cache_ttl} seconds (0: until invalidated), a miss {@code db_cache_neg_ttl} seconds;
 * when the database cannot be reached to refresh an expired value, the old one is served for
 * {@code db_resurrect_ttl} more seconds. Writes invalidate the keys of the entities they change,
 * on every node, through the change feed. Keys follow Kong's {@code <entity>:<id>:::::} form.
 * The Admin API's {@code /cache} endpoints read and clear it on this node only, as Kong's do.
 */
public final class NodeCache {
  private record Entry(Object value, long expiresAtNanos) {
    boolean fresh(long now) {
      return expiresAtNanos == 0 || now < expiresAtNanos;
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final long negTtlNanos;
  private final long resurrectNanos;
  private final LongSupplier clock;

  public NodeCache(double ttlSeconds, double negTtlSeconds, double resurrectSeconds) {
    this(ttlSeconds, negTtlSeconds, resurrectSeconds, System::nanoTime);
  }

  NodeCache(double ttlSeconds, double negTtlSeconds, double resurrectSeconds, LongSupplier clock) {
    this.ttlNanos = (long) (ttlSeconds * 1e9);
    this.negTtlNanos = (long) (negTtlSeconds * 1e9);
    this.resurrectNanos = (long) (resurrectSeconds * 1e9);
    this.clock = clock;
  }

  /** Kong's cache key of an entity by id. */
  public static String key(String entity, String id) {
    return entity + ":" + id + ":::::";
  }

  /**
   * The cached value of {@code key}, loading it with {@code load} (empty: nothing in the
   * database) when it is absent or expired.
   *
   * @throws StoreException when the database fails and there is no value to resurrect
   */
  @SuppressWarnings("unchecked")
  public <T> Optional<T> get(String key, Supplier<Optional<T>> load) {
    long now = clock.getAsLong();
    Entry e = entries.get(key);
    if (e != null && e.fresh(now)) {
      return Optional.ofNullable((T) e.value());
    }
    Optional<T> loaded;
    try {
      loaded = load.get();
    } catch (StoreException failure) {
      if (e != null && failure.unreachable() && resurrectNanos > 0) {
        entries.put(key, new Entry(e.value(), now + resurrectNanos));
        return Optional.ofNullable((T) e.value());
      }
      throw failure;
    }
    long ttl = loaded.isPresent() ? ttlNanos : negTtlNanos;
    entries.put(key, new Entry(loaded.orElse(null), ttl == 0 ? 0 : now + ttl));
    return loaded;
  }

  /**
   * What {@code key} holds now, without loading: empty when absent or expired; a cached miss is
   * present with a null value.
   */
  public Optional<Optional<Object>> probe(String key) {
    Entry e = entries.get(key);
    if (e == null || !e.fresh(clock.getAsLong())) {
      return Optional.empty();
    }
    return Optional.of(Optional.ofNullable(e.value()));
  }

  public void invalidate(String key) {
    entries.remove(key);
  }

  public void purge() {
    entries.clear();
  }

  public int size() {
    return entries.size();
  }
}
