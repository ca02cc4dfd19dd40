package dev.fulcrum.upstream;


/**
 * The retries of one request or session under a {@link RetryPolicy}: how many were made, which
 * servers were left (and are avoided when picking again), and, when the next try stays on the
 * failed server, which one and after what delay. The TCP and HTTP proxies share it.
 */
public final class Retries implements Avoid {
  /** How a proxy takes server slots for its tries. */
  public interface Slots {
    /** Picks a server, skipping {@code avoid}, and takes a slot on it; null when none can now. */
    UpstreamTarget acquire(PickContext context, Avoid avoid);

    /** Takes a slot on {@code target} again, for a retry pinned to it; false when it cannot now. */
    default boolean acquireAgain(UpstreamTarget target) {
      return target.tryAcquire();
    }

    /** A try went to another server than {@code left}, which a redispatch left (counters). */
    default void redispatched(UpstreamTarget left) {}
  }

  private final RetryPolicy policy;
  private UpstreamTarget[] tried;
  private int count;
  private UpstreamTarget pinned;
  private UpstreamTarget left;

  public Retries(RetryPolicy policy) {
    this.policy = policy;
  }

  /** Whether the policy still allows a retry. */
  public boolean remaining() {
    return count < policy.retries();
  }

  /**
   * Counts a retry after {@code failed} and decides where it goes: true to redispatch (another
   * server, {@code failed} avoided), false to try {@code failed} again (the next {@link #acquire}).
   *
   * @param failedRunning whether the failed server is still up (HAProxy leaves a down one at once)
   * @param severalActive more than one active server is usable
   */
  public boolean next(UpstreamTarget failed, boolean failedRunning, boolean severalActive) {
    count++;
    boolean redispatch = failed == null || policy.redispatch(count, failedRunning, severalActive);
    if (failed != null) {
      if (redispatch) {
        avoidFromNowOn(failed);
        left = failed;
      } else {
        pinned = failed;
      }
    }
    return redispatch;
  }

  /**
   * HAProxy's turn-around delay before the next connection attempt: only when the next try may
   * well land on the same server (pinned, or a balancer that is not round-robin-like) and the
   * failure was a refused connection, not a timeout or a reused connection closing.
   */
  public long delayMillis(boolean redispatched, boolean severalActive, boolean refused) {
    boolean sameServerLikely = !redispatched || !(policy.redispatchEveryRetry() && severalActive);
    return sameServerLikely && refused ? policy.turnAroundMillis() : 0;
  }

  /**
   * The server of the next try, with a slot taken: the one a retry is pinned to when it can take
   * it now, else a pick that avoids the servers left, else any (every server was tried: try them
   * again rather than give up). Null when no server can take it now. A pick that replaces the
   * server a redispatch left is reported to {@code slots} (HAProxy counts it as a redispatch).
   */
  public UpstreamTarget acquire(Slots slots, PickContext context) {
    UpstreamTarget t = pinned;
    pinned = null;
    if (t != null) {
      if (slots.acquireAgain(t)) {
        return t;
      }
      // It cannot take the retry now: go elsewhere, as a redispatch would.
      avoidFromNowOn(t);
    }
    t = slots.acquire(context, avoiding() ? this : Avoid.NONE);
    if (t == null && avoiding()) {
      t = slots.acquire(context, Avoid.NONE);
    }
    if (t != null && left != null) {
      if (left != t) {
        slots.redispatched(left);
      }
      left = null;
    }
    return t;
  }

  /** Never picks {@code t} again for this request (unless every server was tried). */
  public void avoidFromNowOn(UpstreamTarget t) {
    if (tried == null) {
      tried = new UpstreamTarget[Math.max(2, policy.retries() + 1)];
    }
    for (int i = 0; i < tried.length; i++) {
      if (tried[i] == null || tried[i] == t) {
        tried[i] = t;
        return;
      }
    }
  }

  /** Whether any server is avoided; picks can then fall back to avoiding none. */
  public boolean avoiding() {
    return tried != null;
  }

  @Override
  public boolean avoid(UpstreamTarget t) {
    if (tried == null) {
      return false;
    }
    for (UpstreamTarget x : tried) {
      if (x == t) {
        return true;
      }
    }
    return false;
  }
}
