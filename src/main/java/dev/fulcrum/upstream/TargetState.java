package dev.fulcrum.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a node knows about one target over time: health flags and in-flight requests. Keyed by
 * upstream id and target, it outlives configuration snapshots, so editing an upstream or adding a
 * target does not reset anyone's health.
 */
public final class TargetState {
  /** Marked down by active probes. */
  public static final int ACTIVE_DOWN = 1;
  /** Marked down by the passive checker (the circuit breaker). */
  public static final int PASSIVE_DOWN = 2;
  /** Marked down by hand (Admin API or runtime API). */
  public static final int ADMIN_DOWN = 4;
  /** Takes no new requests but finishes what it has. */
  public static final int DRAINING = 8;

  private static final int UNUSABLE = ACTIVE_DOWN | PASSIVE_DOWN | ADMIN_DOWN | DRAINING;

  private final String key;
  private volatile int flags;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long lastSeenNanos = System.nanoTime();

  public TargetState(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public boolean usable() {
    return (flags & UNUSABLE) == 0;
  }

  public int flags() {
    return flags;
  }

  public synchronized void set(int flag, boolean on) {
    flags = on ? flags | flag : flags & ~flag;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public void acquired() {
    inFlight.incrementAndGet();
  }

  public void released() {
    inFlight.decrementAndGet();
  }

  void seen() {
    lastSeenNanos = System.nanoTime();
  }

  long lastSeenNanos() {
    return lastSeenNanos;
  }
}
