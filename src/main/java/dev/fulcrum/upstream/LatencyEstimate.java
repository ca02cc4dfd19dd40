package dev.fulcrum.upstream;

/**
 * Peak EWMA of a target's response latency (Kong's latency algorithm, after Finagle): a slower
 * sample takes over at once, faster ones pull the average down with a 10 s time constant. Races
 * between event loops may drop a sample; the average does not need every one.
 */
public final class LatencyEstimate {
  private static final double DECAY_NANOS = 10e9;

  private volatile long ewmaNanos;
  private volatile long stampNanos;

  public void record(long nanos, long nowNanos) {
    long previous = ewmaNanos;
    if (previous == 0 || nanos > previous) {
      ewmaNanos = nanos;
    } else {
      double w = Math.exp(-Math.max(0, nowNanos - stampNanos) / DECAY_NANOS);
      ewmaNanos = (long) (previous * w + nanos * (1 - w));
    }
    stampNanos = nowNanos;
  }

  /** The estimate as last measured, in nanoseconds; 0 when nothing was measured yet. */
  public long nanos() {
    return ewmaNanos;
  }

  /**
   * The estimate at {@code nowNanos}, decayed toward zero while the target is not used (so a slow
   * target is tried again once its estimate fades); -1 when nothing was measured yet.
   */
  public double score(long nowNanos) {
    long ewma = ewmaNanos;
    if (ewma == 0) {
      return -1;
    }
    return ewma * Math.exp(-Math.max(0, nowNanos - stampNanos) / DECAY_NANOS);
  }
}
