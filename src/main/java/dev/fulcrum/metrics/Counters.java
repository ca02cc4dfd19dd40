package dev.fulcrum.metrics;

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
    raise(max, c);
    total.increment();
    long now = System.currentTimeMillis();
    sessionRate.tick(now);
    lastSessionMillis = now;
  }

  /** Raises {@code max} to {@code value}; no write at all when it is not a new maximum. */
  static void raise(AtomicLong max, long value) {
    if (value > max.get()) {
      max.accumulateAndGet(value, Math::max);
    }
  }

  public void closed() {
    current.decrementAndGet();
  }

  public void response(int status) {
    int cls = status / 100;
    responses[cls >= 1 && cls <= 5 ? cls - 1 : 5].increment();
  }

  public void queueEntered() {
    raise(queuedMax, queued.incrementAndGet());
  }

  public void queueLeft() {
    queued.decrementAndGet();
  }

  /** Seconds since the last session, -1 if none yet. */
  public long secondsSinceLastSession() {
    long last = lastSessionMillis;
    return last == 0 ? -1 : (System.currentTimeMillis() - last) / 1000;
  }

  /**
   * Events in the last second and the highest such count seen. Lock-free, as event loops tick
   * the same frontend and backend rates: the current second and its count share one atomic word.
   */
  public static final class Rate {
    private static final long COUNT = 0xFFFFFFFFL;
    /** second << 32 | count, for the second being counted. */
    private final AtomicLong now = new AtomicLong();
    /** The same for the second before it, once that one is over. */
    private final AtomicLong last = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void tick() {
      tick(System.currentTimeMillis());
    }

    public void tick(long nowMillis) {
      long second = nowMillis / 1000;
      while (true) {
        long s = now.get();
        boolean same = s >>> 32 == second;
        long next = same ? s + 1 : second << 32 | 1;
        if (now.compareAndSet(s, next)) {
          if (!same) {
            last.set(s);
          }
          raise(max, next & COUNT);
          return;
        }
      }
    }

    /** The count of the last complete second (or this one, whichever is larger). */
    public long current() {
      return current(System.currentTimeMillis());
    }

    public long current(long nowMillis) {
      long second = nowMillis / 1000;
      long s = now.get();
      long counting = s >>> 32 == second ? s & COUNT : 0;
      long previous = s >>> 32 == second - 1 ? s & COUNT : 0;
      long l = last.get();
      if (l >>> 32 == second - 1) {
        previous = l & COUNT;
      }
      return Math.max(previous, counting);
    }

    public long max() {
      return max.get();
    }
  }

  /**
   * HAProxy's swrate (freq_ctr.h swrate_add): sum = sum - sum / 512 + sample, the average is
   * sum / 512; until 512 samples have come, the plain mean. Lock-free like HAProxy's.
   */
  public static final class Average {
    private static final int N = 512;
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    public void add(long value) {
      raise(max, value);
      if (samples.get() < N && samples.getAndIncrement() < N) {
        sum.addAndGet(value);
        return;
      }
      while (true) {
        long s = sum.get();
        if (sum.compareAndSet(s, s - s / N + value)) {
          return;
        }
      }
    }

    public long average() {
      long n = Math.min(samples.get(), N);
      return n == 0 ? 0 : sum.get() / n;
    }

    /** The largest sample seen. */
    public long max() {
      return max.get();
    }
  }
}
