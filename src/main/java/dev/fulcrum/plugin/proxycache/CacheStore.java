package dev.fulcrum.plugin.proxycache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * proxy-cache's {@code memory} strategy: the responses of this node, by cache key, in a budget of
 * bytes (Kong keeps them in its shared dictionary of {@code mem_cache_size}). The least recently
 * used go first when a new one does not fit; an entry also goes once its storage time is over.
 */
public final class CacheStore {
  /**
   * A stored response.
   *
   * @param pluginId the proxy-cache plugin that stored it
   * @param headers the response headers to replay, in order
   * @param storedAtMillis when it was stored
   * @param ttlSeconds how long it counts as fresh (cache_ttl, or the server's max-age)
   * @param keepSeconds how long it is kept (storage_ttl, else ttlSeconds)
   */
  public record Entry(String pluginId, int status, List<Map.Entry<String, String>> headers, byte[] body,
      long storedAtMillis, long ttlSeconds, long keepSeconds) {
    long size() {
      long n = body.length + 64;
      for (Map.Entry<String, String> h : headers) {
        n += h.getKey().length() + h.getValue().length() + 16;
      }
      return n;
    }

    public long ageSeconds(long nowMillis) {
      return Math.max(0, (nowMillis - storedAtMillis) / 1000);
    }
  }

  private final long budget;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long used;

  /** @param budget the bytes all entries may take together */
  public CacheStore(long budget) {
    this.budget = budget;
  }

  /** The largest body worth collecting: one that could fit at all. */
  public long budget() {
    return budget;
  }

  public synchronized Entry get(String key, long nowMillis) {
    Entry e = entries.get(key);
    if (e != null && nowMillis - e.storedAtMillis() >= e.keepSeconds() * 1000) {
      remove(key);
      return null;
    }
    return e;
  }

  public synchronized void put(String key, Entry entry) {
    remove(key);
    long size = entry.size();
    if (size > budget) {
      return;
    }
    for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); used + size > budget && it.hasNext(); ) {
      used -= it.next().getValue().size();
      it.remove();
    }
    entries.put(key, entry);
    used += size;
  }

  /** Removes one entry; true when there was one. */
  public synchronized boolean remove(String key) {
    Entry e = entries.remove(key);
    if (e != null) {
      used -= e.size();
    }
    return e != null;
  }

  /** Removes every entry, or those of one plugin when {@code pluginId} is not null. */
  public synchronized void purge(String pluginId) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (pluginId == null || pluginId.equals(e.pluginId())) {
        used -= e.size();
        it.remove();
      }
    }
  }

  public synchronized long used() {
    return used;
  }
}
