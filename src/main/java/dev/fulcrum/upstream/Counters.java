package dev.fulcrum.upstream;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Traffic counters of a server, backend or frontend, as HAProxy's {@code show stat} reports them.
 * Adders where many event loops bump the same counter; plain atomics for maxima and stamps.
 */
public final class Counters {
  public final AtomicLong current = new AtomicLong();
  public final AtomicLong max = new AtomicLong();
  public final LongAdder total = new LongAdder();
  public final LongAdder bytesIn = new LongAdder();
  public final LongAdder bytesOut = new LongAdder();
  public final LongAdder connectErrors = new LongAdder();
  public final LongAdder responseErrors = new LongAdder();
  public final LongAdder requestErrors = new LongAdder();
  public final LongAdder retries = new LongAdder();
  public final LongAdder redispatches = new LongAdder();
  public final LongAdder selected = new LongAdder();
  public final LongAdder clientAborts = new LongAdder();
  public final LongAdder serverAborts = new LongAdder();
  public final LongAdder connects = new LongAdder();
  public final LongAdder reuses = new LongAdder();
  public final LongAdder requests = new LongAdder();
  /** HTTP responses by class: 1xx..5xx, then other. */
  public final LongAdder[] responses = {
    new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()
  };
  public final AtomicLong queued = new AtomicLong();
  public final AtomicLong queuedMax = new AtomicLong();
  public final AtomicLong denied = new AtomicLong();
  public final Rate sessionRate = new Rate();
  public final Rate requestRate = new Rate();
  /** Sliding averages over 512 samples, in ms (HAProxy's qtime, ctime, rtime, ttime). */
  public final Average queueTime = new Average();
  public final Average connectTime = new Average();
  public final Average responseTime = new Average();
  public final Average totalTime = new Average();
  private volatile long lastSessionMillis;

  /** A session (connection or request) starts. */
  public void opened() {
    long c = current.incrementAndGet();
    max.accumulateAndGet(c, Math::max);
    total.increment();
    sessionRate.tick();
    lastSessionMillis = System.currentTimeMillis();
  }

  public void closed() {
    current.decrementAndGet();
  }

  public void response(int status) {
    int cls = status / 100;
    responses[cls >= 1 && cls <= 5 ? cls - 1 : 5].increment();
  }

  public void queueEntered() {
    long q = queued.incrementAndGet();
    queuedMax.accumulateAndGet(q, Math::max);
  }

  public void queueLeft() {
    queued.decrementAndGet();
  }

  /** Seconds since the last session, -1 if none yet. */
  public long secondsSinceLastSession() {
    long last = lastSessionMillis;
    return last == 0 ? -1 : (System.currentTimeMillis() - last) / 1000;
  }

  /** Events in the last second and the highest such count seen. */
  public static final class Rate {
    private long second;
    private long count;
    private long previous;
    private long max;

    public synchronized void tick() {
      roll();
      count++;
      max = Math.max(max, count);
    }

    private void roll() {
      long now = System.currentTimeMillis() / 1000;
      if (now != second) {
        previous = now == second + 1 ? count : 0;
        second = now;
        count = 0;
      }
    }

    /** The count of the last complete second (or this one, whichever is larger). */
    public synchronized long current() {
      roll();
      return Math.max(previous, count);
    }

    public synchronized long max() {
      return max;
    }
  }

  /** HAProxy's swrate: sum = sum - sum / 512 + sample; the average is sum / 512. */
  public static final class Average {
    private static final int N = 512;
    private long sum;
    private long samples;
    private long max;

    public synchronized void add(long value) {
      max = Math.max(max, value);
      if (samples < N) {
        samples++;
        sum += value;
      } else {
        sum = sum - sum / N + value;
      }
    }

    public synchronized long average() {
      return samples == 0 ? 0 : sum / Math.min(samples, N);
    }

    /** The largest sample seen. */
    public synchronized long max() {
      return max;
    }
  }
}
