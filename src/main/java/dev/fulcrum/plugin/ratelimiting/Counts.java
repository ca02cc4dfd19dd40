package dev.fulcrum.plugin.ratelimiting;

import java.util.concurrent.CompletionStage;

/**
 * Where a rate-limiting policy keeps its counts: this node ({@code local}), the database
 * ({@code cluster}) or Redis ({@code redis}). Reads may complete later, on any thread; increments
 * are sent and not waited for, as in Kong (so a burst may slightly overshoot a shared limit).
 */
public interface Counts {
  /**
   * The counts of {@code keys} (null keys are not asked; their count is 0).
   *
   * @return completed at once for the local policy
   */
  CompletionStage<long[]> get(String[] keys);

  /** Adds one to each non-null key; a key lives until {@code expiresAtMillis} (same index). */
  void increment(String[] keys, long[] expiresAtMillis, long nowMillis);
}
