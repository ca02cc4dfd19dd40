package dev.fulcrum.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.fulcrum.metrics.Counters;

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
  /** Time constant of the latency estimate's decay (Kong's latency balancer). */
  private static final double LATENCY_DECAY_NANOS = 10e9;

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
  /** Stopping: no new load-balanced traffic (HAProxy's NOLB, from 'set server health stopping'). */
  public static final int STOPPING = 4;
  /** In maintenance because the configuration says {@code disabled} (with MAINT; HAProxy's CMAINT). */
  public static final int CONFIG_MAINT = 8;

  private final String key;
  private final String label;
  private final boolean haproxyStyle;
  private final Counters counters = new Counters();
  /** HAProxy's check health, 0 .. rise + fall - 1; -1 until checks start. */
  private volatile int checkHealth = -1;
  private volatile String checkStatus = "INI";
  private volatile String checkDesc = "Initializing";
  private volatile String checkInfo;
  private volatile int checkCode;
  private volatile long checkDurationMillis = -1;
  private final java.util.concurrent.atomic.AtomicLong checkFailures = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong downTransitions = new java.util.concurrent.atomic.AtomicLong();
  private volatile long downSinceMillis;
  private volatile long downtimeMillis;
  /** When it last came back up; 0 if it never went down (no slowstart at process start). */
  private volatile long upSinceMillis;
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
    this(key, label, false);
  }

  /**
   * @param haproxyStyle a haproxy.cfg server: its owner logs transitions in HAProxy's words
   *     ("Server be/srv is DOWN, reason: ..., N active and M backup servers left"), so this
   *     state does not
   */
  public TargetState(String key, String label, boolean haproxyStyle) {
    this.key = key;
    this.label = label;
    this.haproxyStyle = haproxyStyle;
  }

  public Counters counters() {
    return counters;
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
    return report(outcome, limit, source, 0);
  }

  /** @param httpStatus the status that counted, named in the log line of a change; 0 for none */
  public boolean report(Outcome outcome, int limit, String source, int httpStatus) {
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
        String from = httpStatus > 0 ? source + ": HTTP " + httpStatus : source;
        return change(next, from + ": " + count + " " + describe(outcome, count));
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

  // ------------------------------------------------------------ HAProxy checks

  /** Starts HAProxy-style checking at health = rise ("start OK but check immediately"). */
  public synchronized void startChecks(int rise) {
    if (checkHealth < 0) {
      checkHealth = rise;
    }
  }

  /**
   * One HAProxy check result (src/check.c): a failure lowers health and drops it to 0 below rise
   * (DOWN at 0); a pass raises it and jumps to full once rise is reached (UP). Returns true on a
   * change between UP and DOWN.
   */
  public synchronized boolean reportCheck(
      boolean passed, int rise, int fall, String status, String desc, String info, int code, long durationMillis) {
    if (checkHealth < 0) {
      checkHealth = rise;
    }
    checkStatus = status;
    checkDesc = desc;
    checkInfo = info;
    checkCode = code;
    checkDurationMillis = durationMillis;
    int full = rise + fall - 1;
    String reason =
        desc + (code > 0 ? ", code: " + code : "") + (info != null ? ", info: \"" + info + "\"" : "")
            + ", check duration: " + durationMillis + "ms";
    if (!passed) {
      if (checkHealth > 0) {
        checkFailures.incrementAndGet();
        checkHealth--;
        if (checkHealth < rise) {
          checkHealth = 0;
        }
      }
      return checkHealth == 0 && change(Health.UNHEALTHY, reason);
    }
    if (checkHealth < full) {
      checkHealth++;
      if (checkHealth >= rise) {
        checkHealth = full;
      }
    }
    return checkHealth >= rise && change(Health.HEALTHY, reason);
  }

  /** 'set server health up|stopping|down' and leaving maintenance: health to full or 0. */
  public synchronized boolean forceCheckHealth(int health, boolean up, String reason) {
    checkHealth = health;
    return change(up ? Health.HEALTHY : Health.UNHEALTHY, reason);
  }

  public int checkHealth() {
    return checkHealth;
  }

  public String checkStatus() {
    return checkStatus;
  }

  public String checkDesc() {
    return checkDesc;
  }

  /** The last check's own words ("Connection refused"), or null. */
  public String checkInfo() {
    return checkInfo;
  }

  public int checkCode() {
    return checkCode;
  }

  public long checkDurationMillis() {
    return checkDurationMillis;
  }

  public long checkFailures() {
    return checkFailures.get();
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

  /** Total seconds spent DOWN, the current stretch included. */
  public long downtimeSeconds() {
    long total = downtimeMillis;
    if (!health.up()) {
      total += System.currentTimeMillis() - downSinceMillis;
    }
    return total / 1000;
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
      long now = System.currentTimeMillis();
      lastReason = reason;
      lastChangeMillis = now;
      if (next.up()) {
        downtimeMillis += now - downSinceMillis;
        upSinceMillis = now;
      } else {
        downTransitions.incrementAndGet();
        downSinceMillis = now;
      }
      if (!haproxyStyle) {
        LOG.info(
            "{}: {} -> {} ({})", label, old.up() ? "HEALTHY" : "UNHEALTHY", next.up() ? "HEALTHY" : "UNHEALTHY", reason);
      }
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

  /** Takes a slot unless {@code max} (&gt; 0) are taken already; 0 means no limit. */
  public boolean tryAcquire(int max) {
    if (max <= 0) {
      acquired();
      return true;
    }
    int n;
    do {
      n = inFlight.get();
      if (n >= max) {
        return false;
      }
    } while (!inFlight.compareAndSet(n, n + 1));
    loadStamp = System.nanoTime();
    return true;
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
      double w = Math.exp(-Math.max(0, nowNanos - ewmaStampNanos) / LATENCY_DECAY_NANOS);
      ewmaNanos = (long) (previous * w + nanos * (1 - w));
    }
    ewmaStampNanos = nowNanos;
  }

  /** The latency estimate as last measured, in nanoseconds; 0 when nothing was measured yet. */
  public long latencyNanos() {
    return ewmaNanos;
  }

  /**
   * The latency estimate at {@code nowNanos}, decayed toward zero while the target is not used
   * (so a slow target is tried again once its estimate fades); -1 when nothing was measured yet.
   */
  public double latencyScore(long nowNanos) {
    long ewma = ewmaNanos;
    if (ewma == 0) {
      return -1;
    }
    return ewma * Math.exp(-Math.max(0, nowNanos - ewmaStampNanos) / LATENCY_DECAY_NANOS);
  }

  void seen() {
    lastSeenNanos = System.nanoTime();
  }

  long lastSeenNanos() {
    return lastSeenNanos;
  }
}
