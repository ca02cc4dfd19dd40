package dev.fulcrum.upstream;

/**
 * Kong's health counters for one target (lua-resty-healthcheck): one success counter and three
 * failure counters (HTTP, TCP, timeout). A success clears the failure counters, a failure clears
 * the success counter; a counter reaching its threshold makes the target healthy or unhealthy, and
 * partial counts give the in-between states Kong calls mostly healthy and mostly unhealthy. Active
 * probes and proxied requests feed the same counters, each with its own thresholds.
 */
public final class KongHealth {
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

  /** A crossing between up and down, after {@code count} outcomes of the kind that crossed. */
  public record Verdict(boolean up, int count) {}

  private volatile Health health = Health.HEALTHY;
  private int successes;
  private int httpFailures;
  private int tcpFailures;
  private int timeouts;

  public Health health() {
    return health;
  }

  /** Counts one outcome; the crossing it caused, or null. {@code limit} 0 counts nothing. */
  Verdict report(Outcome outcome, int limit) {
    if (limit <= 0) {
      return null;
    }
    Health current = health;
    // Kong stops counting successes of a fully healthy target and failures of a fully unhealthy one.
    if ((outcome == Outcome.SUCCESS && current == Health.HEALTHY)
        || (outcome != Outcome.SUCCESS && current == Health.UNHEALTHY)) {
      return null;
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
      health = next;
      return current.up() != next.up() ? new Verdict(next.up(), count) : null;
    }
  }

  /** Healthy or unhealthy outright, counters cleared (Admin API healthy/unhealthy). */
  synchronized void reset(boolean up) {
    successes = 0;
    httpFailures = 0;
    tcpFailures = 0;
    timeouts = 0;
    health = up ? Health.HEALTHY : Health.UNHEALTHY;
  }

  static String describe(Outcome o, int count) {
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
}
