package dev.fulcrum.plugin.ratelimiting;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate-limiting's {@code local} policy: request counts of this node by key, each kept until its
 * window is over (Kong's shared dictionary with an expiry). Shared by every plugin instance, so a
 * changed configuration keeps counting where it was, as in Kong.
 */
public final class LocalCounters {
  private static final int SWEEP_EVERY = 4096;

  private record Count(LongAdder value, long expiresAtMillis) {}

  private final Map<String, Count> counts = new ConcurrentHashMap<>();
  private final AtomicLong increments = new AtomicLong();

  public long get(String key) {
    Count c = counts.get(key);
    return c == null ? 0 : c.value().sum();
  }

  public void increment(String key, long expiresAtMillis, long nowMillis) {
    counts.computeIfAbsent(key, k -> new Count(new LongAdder(), expiresAtMillis)).value().increment();
    if (increments.incrementAndGet() % SWEEP_EVERY == 0) {
      sweep(nowMillis);
    }
  }

  /** Drops the counts of windows that are over. */
  void sweep(long nowMillis) {
    for (Iterator<Count> it = counts.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAtMillis() <= nowMillis) {
        it.remove();
      }
    }
  }

  int size() {
    return counts.size();
  }
}
