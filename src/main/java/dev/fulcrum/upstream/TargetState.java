package dev.fulcrum.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node knows about one target over time: its health, administrative flags, requests in
 * flight and response latency. Keyed by upstream id and target, it outlives configuration
 * snapshots, so editing an upstream or adding a target resets nobody's health.
 *
 * <p>Health follows Kong's health checker (lua-resty-healthcheck): one success counter and three
 * failure counters (HTTP, TCP, timeout). A success clears the failure counters, a failure clears
 * the success counter; a counter reaching its threshold makes the target healthy or unhealthy, and
 * partial counts give the in-between states Kong calls mostly healthy and mostly unhealthy.
 */
public final class TargetState {
  private static final Logger LOG = LoggerFactory.getLogger(TargetState.class);

  /** Kong's four internal health states; the first two take traffic. */
  public enum Health {
    HEALTHY,
    MOSTLY_HEALTHY,
    MOSTLY_UNHEALTHY,
    UNHEALTHY;

    public boolean up() {
      return this == HEALTHY || this == MOSTLY_HEALTHY;
    }
  }

  /** What a check or a proxied request told us. */
  public enum Outcome {
    SUCCESS,
    HTTP_FAILURE,
    TCP_FAILURE,
    TIMEOUT
  }

  /** Taken out of rotation by an operator (HAProxy's MAINT). */
  public static final int MAINT = 1;
  /** Takes no new requests but finishes what it has (HAProxy's DRAIN). */
  public static final int DRAINING = 2;

  private final String key;
  private final String label;
  private volatile Health health = Health.HEALTHY;
  private volatile int flags;
  private int successes;
  private int httpFailures;
  private int tcpFailures;
  private int timeouts;
  private volatile String lastReason = "";
  private volatile long lastChangeMillis = System.currentTimeMillis();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long loadStamp;
  private volatile int weightOverride = -1;
  private volatile long ewmaNanos;
  private volatile long ewmaStampNanos;
  private volatile long lastSeenNanos = System.nanoTime();

  public TargetState(String key) {
    this(key, key);
  }

  /** @param label how logs name the target ("upstream target") */
  public TargetState(String key, String label) {
    this.key = key;
    this.label = label;
  }

  public String key() {
    return key;
  }

  public Health health() {
    return health;
  }

  /** Healthy enough and not taken out by an operator. */
  public boolean usable() {
    return health.up() && flags == 0;
  }

  /** Usable when health checks are off: only operator flags count. */
  public boolean usableIgnoringHealth() {
    return flags == 0;
  }

  public int flags() {
    return flags;
  }

  /** A weight set at run time (runtime API), or -1 for the configured one. */
  public int weightOverride() {
    return weightOverride;
  }

  public void setWeightOverride(int weight) {
    weightOverride = weight;
  }

  public String lastReason() {
    return lastReason;
  }

  /** When the health last changed (epoch millis). */
  public long lastChangeMillis() {
    return lastChangeMillis;
  }

  public synchronized void setFlag(int flag, boolean on) {
    flags = on ? flags | flag : flags & ~flag;
  }

  /**
   * Counts one outcome against its threshold ({@code limit}; 0 means this kind is not counted).
   * Returns true when the target changed between up and down.
   */
  public boolean report(Outcome outcome, int limit, String source) {
    if (limit <= 0) {
      return false;
    }
    Health current = health;
    // Kong stops counting successes of a fully healthy target and failures of a fully unhealthy one.
    if ((outcome == Outcome.SUCCESS && current == Health.HEALTHY)
        || (outcome != Outcome.SUCCESS && current == Health.UNHEALTHY)) {
      return false;
    }
    synchronized (this) {
      current = health;
      int count;
      switch (outcome) {
        case SUCCESS:
          count = ++successes;
          httpFailures = 0;
          tcpFailures = 0;
          timeouts = 0;
          break;
        case HTTP_FAILURE:
          count = ++httpFailures;
          successes = 0;
          break;
        case TCP_FAILURE:
          count = ++tcpFailures;
          successes = 0;
          break;
        default:
          count = ++timeouts;
          successes = 0;
      }
      Health next = current;
      if (count >= limit) {
        next = outcome == Outcome.SUCCESS ? Health.HEALTHY : Health.UNHEALTHY;
      } else if (current == Health.HEALTHY && outcome != Outcome.SUCCESS) {
        next = Health.MOSTLY_HEALTHY;
      } else if (current == Health.UNHEALTHY && outcome == Outcome.SUCCESS) {
        next = Health.MOSTLY_UNHEALTHY;
      }
      if (next != current && current.up() != next.up()) {
        return change(next, source + ": " + count + " " + describe(outcome, count));
      }
      health = next;
      return false;
    }
  }

  private static String describe(Outcome o, int count) {
    String plural = count == 1 ? "" : "s";
    switch (o) {
      case SUCCESS:
        return "success" + (count == 1 ? "" : "es");
      case HTTP_FAILURE:
        return "HTTP failure" + plural;
      case TCP_FAILURE:
        return "TCP failure" + plural;
      default:
        return "timeout" + plural;
    }
  }

  /** Sets the health outright (Admin API healthy/unhealthy) and clears the counters. */
  public synchronized boolean setHealth(boolean up, String reason) {
    successes = 0;
    httpFailures = 0;
    tcpFailures = 0;
    timeouts = 0;
    return change(up ? Health.HEALTHY : Health.UNHEALTHY, reason);
  }

  private boolean change(Health next, String reason) {
    Health old = health;
    if (next == old) {
      return false;
    }
    health = next;
    if (old.up() != next.up()) {
      lastReason = reason;
      lastChangeMillis = System.currentTimeMillis();
      LOG.info(
          "{}: {} -> {} ({})", label, old.up() ? "HEALTHY" : "UNHEALTHY", next.up() ? "HEALTHY" : "UNHEALTHY", reason);
      return true;
    }
    return false;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public void acquired() {
    inFlight.incrementAndGet();
    loadStamp = System.nanoTime();
  }

  public void released() {
    inFlight.decrementAndGet();
    loadStamp = System.nanoTime();
  }

  /**
   * When the in-flight count last changed. HAProxy's leastconn re-queues a server behind the
   * others of equal load whenever its load changes; ordering ties by this stamp does the same.
   */
  public long loadStamp() {
    return loadStamp;
  }

  /**
   * Peak EWMA of response latency (Kong's latency algorithm, after Finagle): a slower sample
   * takes over at once, faster ones pull the average down with a 10 s time constant. Races
   * between event loops may drop a sample; the average does not need every one.
   */
  public void recordLatency(long nanos, long nowNanos) {
    long previous = ewmaNanos;
    if (previous == 0 || nanos > previous) {
      ewmaNanos = nanos;
    } else {
      double elapsed = Math.max(0, nowNanos - ewmaStampNanos);
      double w = Math.exp(-elapsed / 10e9);
      ewmaNanos = (long) (previous * w + nanos * (1 - w));
    }
    ewmaStampNanos = nowNanos;
  }

  /** Current latency estimate in nanoseconds, 0 when nothing was measured yet. */
  public long latencyNanos() {
    return ewmaNanos;
  }

  /** When the estimate was last updated ({@link System#nanoTime}). */
  public long latencyStampNanos() {
    return ewmaStampNanos;
  }

  void seen() {
    lastSeenNanos = System.nanoTime();
  }

  long lastSeenNanos() {
    return lastSeenNanos;
  }
}
