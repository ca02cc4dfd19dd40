package dev.fulcrum.plugin.ratelimiting;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate-limiting's {@code local} policy: request counts of this node by key, each kept until its
 * window is over (Kong's shared dictionary with an expiry). Shared by every plugin instance, so a
 * changed configuration keeps counting where it was, as in Kong.
 */
public final class LocalCounters implements Counts {
  private static final int SWEEP_EVERY = 4096;

  private record Count(LongAdder value, long expiresAtMillis) {}

  private final Map<String, Count> counts = new ConcurrentHashMap<>();
  private final AtomicLong increments = new AtomicLong();

  @Override
  public CompletionStage<long[]> get(String[] keys) {
    long[] out = new long[keys.length];
    for (int i = 0; i < keys.length; i++) {
      out[i] = keys[i] == null ? 0 : get(keys[i]);
    }
    return CompletableFuture.completedFuture(out);
  }

  @Override
  public void increment(String[] keys, long[] expiresAtMillis, long nowMillis) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        increment(keys[i], expiresAtMillis[i], nowMillis);
      }
    }
  }

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
