package dev.fulcrum.upstream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * HAProxy's check health of one server (src/check.c): a counter from 0 to {@code rise + fall - 1};
 * a failed check lowers it and drops it to 0 once below {@code rise} (the server is DOWN at 0), a
 * passed check raises it and jumps to full once {@code rise} is reached (UP). Also the last check's
 * status, description and duration, as {@code show stat} reports them.
 */
public final class CheckHealth {
  private volatile int health = -1;
  private volatile String status = "INI";
  private volatile String desc = "Initializing";
  private volatile String info;
  private volatile int code;
  private volatile long durationMillis = -1;
  private final AtomicLong failures = new AtomicLong();

  /** Starts checking at health = rise ("start OK but check immediately"). */
  public synchronized void start(int rise) {
    if (health < 0) {
      health = rise;
    }
  }

  /**
   * One check result. Returns +1 when the server now counts as up, -1 when down, 0 while in
   * between; the caller records the verdict (which may not be a change).
   */
  public synchronized int report(
      boolean passed, int rise, int fall, String status, String desc, String info, int code, long durationMillis) {
    if (health < 0) {
      health = rise;
    }
    this.status = status;
    this.desc = desc;
    this.info = info;
    this.code = code;
    this.durationMillis = durationMillis;
    int full = rise + fall - 1;
    if (!passed) {
      if (health > 0) {
        failures.incrementAndGet();
        health--;
        if (health < rise) {
          health = 0;
        }
      }
      return health == 0 ? -1 : 0;
    }
    if (health < full) {
      health++;
      if (health >= rise) {
        health = full;
      }
    }
    return health >= rise ? 1 : 0;
  }

  /** How HAProxy words the last result in its log lines (the "reason" of a transition). */
  public String reason() {
    return desc + (code > 0 ? ", code: " + code : "") + (info != null ? ", info: \"" + info + "\"" : "")
        + ", check duration: " + durationMillis + "ms";
  }

  synchronized void force(int value) {
    health = value;
  }

  /** The check health, -1 until checks start. */
  public int health() {
    return health;
  }

  public String status() {
    return status;
  }

  public String desc() {
    return desc;
  }

  /** The last check's own words ("Connection refused"), or null. */
  public String info() {
    return info;
  }

  public int code() {
    return code;
  }

  public long durationMillis() {
    return durationMillis;
  }

  public long failures() {
    return failures.get();
  }
}
