package dev.fulcrum.upstream;

import dev.fulcrum.metrics.Counters;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node knows about one target over time, keyed by backend and target so that it outlives
 * configuration snapshots: editing an upstream or reloading a haproxy.cfg resets nobody's health.
 *
 * <p>Health is data (Envoy's host health flags): one bit per reason a target takes no new
 * traffic, so that "may it be picked" is one volatile read. {@link #FAILED} is the verdict of the
 * health checks, kept by the dialect's own counters ({@link KongHealth}: Kong's
 * healthy/unhealthy thresholds; {@link CheckHealth}: HAProxy's rise and fall); the other bits are
 * an operator's. Requests in flight, the latency estimate and the traffic counters live here too.
 */
public final class TargetState {
  /** The health checks (active or passive) say it is down. */
  public static final int FAILED = 1;
  /** Taken out of rotation by an operator (HAProxy's MAINT). */
  public static final int MAINT = 2;
  /** Takes no new requests but finishes what it has (HAProxy's DRAIN). */
  public static final int DRAINING = 4;
  /** Stopping: no new load-balanced traffic (HAProxy's NOLB, from 'set server health stopping'). */
  public static final int STOPPING = 8;
  /** In maintenance because the configuration says {@code disabled} (with MAINT; HAProxy's CMAINT). */
  public static final int CONFIG_MAINT = 16;

  private final String key;
  private final Counters counters = new Counters();
  private final KongHealth kong = new KongHealth();
  private final CheckHealth check = new CheckHealth();
  private final LatencyEstimate latency = new LatencyEstimate();
  private final AtomicInteger flags = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile long loadStamp;
  private volatile int weightOverride = -1;
  private final AtomicLong downTransitions = new AtomicLong();
  private volatile long downSinceMillis;
  private volatile long downtimeMillis;
  /** When it last came back up; 0 if it never went down (no slowstart at process start). */
  private volatile long upSinceMillis;
  private volatile String lastReason = "";
  private volatile long lastChangeMillis = System.currentTimeMillis();
  private volatile long lastSeenNanos = System.nanoTime();

  public TargetState(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  public Counters counters() {
    return counters;
  }

  /** Kong's health counters (lua-resty-healthcheck). */
  public KongHealth kong() {
    return kong;
  }

  /** HAProxy's check health and last check result. */
  public CheckHealth check() {
    return check;
  }

  public LatencyEstimate latency() {
    return latency;
  }

  // ------------------------------------------------------------------ flags

  public int flags() {
    return flags.get();
  }

  /** Healthy and not taken out by an operator: may be picked. */
  public boolean usable() {
    return flags.get() == 0;
  }

  /** May be picked when health checks are off: only the operator's flags count. */
  public boolean usableIgnoringHealth() {
    return (flags.get() & ~FAILED) == 0;
  }

  /** The health checks' verdict (operator flags aside). */
  public boolean up() {
    return (flags.get() & FAILED) == 0;
  }

  public boolean has(int flag) {
    return (flags.get() & flag) != 0;
  }

  /** Sets or clears an operator flag; true when that changed something. */
  public boolean setFlag(int flag, boolean on) {
    while (true) {
      int f = flags.get();
      int next = on ? f | flag : f & ~flag;
      if (next == f) {
        return false;
      }
      if (flags.compareAndSet(f, next)) {
        return true;
      }
    }
  }

  /**
   * Records the health checks' verdict; true when it changed between up and down (the transition
   * is counted and timed, and {@code reason} kept for logs and stats).
   */
  public synchronized boolean setUp(boolean up, String reason) {
    if (up() == up) {
      return false;
    }
    setFlag(FAILED, !up);
    long now = System.currentTimeMillis();
    lastReason = reason;
    lastChangeMillis = now;
    if (up) {
      downtimeMillis += now - downSinceMillis;
      upSinceMillis = now;
    } else {
      downTransitions.incrementAndGet();
      downSinceMillis = now;
    }
    return true;
  }

  /**
   * Counts a Kong health-check outcome against its threshold ({@code limit}, 0: not counted); true
   * when the target went up or down.
   *
   * @param httpStatus the status that counted, named in the reason; 0 for none
   */
  public boolean report(KongHealth.Outcome outcome, int limit, String source, int httpStatus) {
    KongHealth.Verdict v = kong.report(outcome, limit);
    if (v == null) {
      return false;
    }
    String from = httpStatus > 0 ? source + ": HTTP " + httpStatus : source;
    return setUp(v.up(), from + ": " + v.count() + " " + KongHealth.describe(outcome, v.count()));
  }

  /** Sets the health outright (Admin API healthy/unhealthy), clearing Kong's counters. */
  public boolean setHealth(boolean up, String reason) {
    kong.reset(up);
    return setUp(up, reason);
  }

  /**
   * 'set server health up|stopping|down' and leaving maintenance: HAProxy's check health to
   * {@code health} and the verdict to {@code up}.
   */
  public boolean forceCheckHealth(int health, boolean up, String reason) {
    check.force(health);
    return setUp(up, reason);
  }

  public String lastReason() {
    return lastReason;
  }

  /** When the health last changed (epoch millis). */
  public long lastChangeMillis() {
    return lastChangeMillis;
  }

  public long downTransitions() {
    return downTransitions.get();
  }

  public long upSinceMillis() {
    return upSinceMillis;
  }

  /** Marks a return to service (leaving maintenance): slowstart ramps from here. */
  public void restarted() {
    upSinceMillis = System.currentTimeMillis();
  }

  /** Total seconds spent down, the current stretch included. */
  public long downtimeSeconds() {
    long total = downtimeMillis;
    if (!up()) {
      total += System.currentTimeMillis() - downSinceMillis;
    }
    return total / 1000;
  }

  // ------------------------------------------------------------------ weight

  /** A weight set at run time (runtime API), or -1 for the configured one. */
  public int weightOverride() {
    return weightOverride;
  }

  public void setWeightOverride(int weight) {
    weightOverride = weight;
  }

  // -------------------------------------------------------------- in flight

  public int inFlight() {
    return inFlight.get();
  }

  /** Takes a slot unless {@code max} (&gt; 0) are taken already; 0 means no limit. */
  public boolean tryAcquire(int max) {
    if (max <= 0) {
      inFlight.incrementAndGet();
    } else {
      int n;
      do {
        n = inFlight.get();
        if (n >= max) {
          return false;
        }
      } while (!inFlight.compareAndSet(n, n + 1));
    }
    loadStamp = System.nanoTime();
    return true;
  }

  public void acquired() {
    tryAcquire(0);
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

  void seen() {
    lastSeenNanos = System.nanoTime();
  }

  long lastSeenNanos() {
    return lastSeenNanos;
  }
}
