package dev.fulcrum.upstream;

import dev.fulcrum.upstream.balance.Avoid;

/**
 * The retries of one request or session under a {@link RetryPolicy}: how many were made, which
 * servers were left (and are avoided when picking again), and, when the next try stays on the
 * failed server, which one and after what delay. The TCP and HTTP proxies share it.
 */
public final class Retries implements Avoid {
  private final RetryPolicy policy;
  private UpstreamTarget[] tried;
  private int count;
  private UpstreamTarget pinned;
  private UpstreamTarget left;

  public Retries(RetryPolicy policy) {
    this.policy = policy;
  }

  public RetryPolicy policy() {
    return policy;
  }

  /** Retries made so far. */
  public int count() {
    return count;
  }

  /** Whether the policy still allows a retry. */
  public boolean remaining() {
    return count < policy.retries();
  }

  /**
   * Counts a retry after {@code failed} and decides where it goes: true to redispatch (another
   * server, {@code failed} avoided), false to try {@code failed} again ({@link #takePinned}).
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

  /** The server a non-redispatched retry goes back to, once. */
  public UpstreamTarget takePinned() {
    UpstreamTarget t = pinned;
    pinned = null;
    return t;
  }

  /**
   * Whether {@code picked} replaces the server the last redispatch left (HAProxy counts that as a
   * redispatch on both); clears the record either way.
   */
  public UpstreamTarget leftFor(UpstreamTarget picked) {
    UpstreamTarget l = left;
    left = null;
    return l != null && l != picked ? l : null;
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
