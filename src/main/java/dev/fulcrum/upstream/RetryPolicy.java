package dev.fulcrum.upstream;

/**
 * When a failed try is tried again, and where (HAProxy's {@code retries}, {@code option
 * redispatch [interval]} and {@code retry-on}; src/backend.c back_handle_st_cer and
 * stream_choose_redispatch).
 *
 * @param retries further tries after the first one
 * @param redispatchInterval 0 = never redispatch; P &gt; 0 every P-th retry; -N on the N-th retry
 *     before the last (-1, HAProxy's default, is the last retry)
 * @param redispatchEveryRetry redispatch at once on every retry, as HAProxy does for round-robin
 *     kinds with more than one active server, and Kong always does
 * @param connFailure retry when the connection could not be made
 * @param emptyResponse retry when the server closed before its first byte (HTTP: after the
 *     request went out; TCP: the client's first bytes are replayed)
 * @param junkResponse retry on an unparsable response head
 * @param responseTimeout retry when no response came within the server timeout
 * @param statuses retry on these HTTP statuses (index = status)
 * @param turnAroundMillis wait before retrying the same server (HAProxy: min(connect, 1 s))
 * @param idempotentOnly never send again a request that may have reached the server unless its
 *     method is idempotent (Kong); HAProxy leaves that to whoever wrote retry-on
 */
public record RetryPolicy(
    int retries,
    int redispatchInterval,
    boolean redispatchEveryRetry,
    boolean connFailure,
    boolean emptyResponse,
    boolean junkResponse,
    boolean responseTimeout,
    boolean[] statuses,
    long turnAroundMillis,
    boolean idempotentOnly) {

  private static final boolean[] NO_STATUSES = new boolean[600];

  /** Kong's: retry connection failures, timeouts and resets on another target, never statuses. */
  public static RetryPolicy kong(int retries) {
    return new RetryPolicy(retries, 1, true, true, true, true, true, NO_STATUSES, 0, true);
  }

  /** Kong's for stream services: connection failures only, each retry to another target. */
  public static RetryPolicy kongStream(int retries) {
    return new RetryPolicy(retries, 1, true, true, false, false, false, NO_STATUSES, 0, true);
  }

  /** Whether a try that failed this way may be tried again (HAProxy's retry-on keywords). */
  public boolean retries(ProxyFailure failure) {
    switch (failure) {
      case CONNECT_FAILED:
      case CONNECT_TIMEOUT:
        return connFailure;
      case RESET_BEFORE_RESPONSE:
        return emptyResponse;
      case BAD_RESPONSE:
        return junkResponse;
      case READ_TIMEOUT:
        return responseTimeout;
      case RETRYABLE_STATUS:
        return true;
      default:
        return false;
    }
  }

  public boolean retriesStatus(int status) {
    return status >= 0 && status < statuses.length && statuses[status];
  }

  /**
   * Whether retry number {@code retry} (1-based) goes to another server.
   *
   * @param serverRunning false when the failed server is down or still starting
   */
  public boolean redispatch(int retry, boolean serverRunning, boolean severalActive) {
    if (redispatchInterval == 0) {
      return false;
    }
    if (!serverRunning || (redispatchEveryRetry && severalActive)) {
      return true;
    }
    if (redispatchInterval > 0) {
      return retry % redispatchInterval == 0;
    }
    int period = retries + 1 + redispatchInterval;
    return period > 0 && retry % period == 0;
  }

  /** A status table from a list of codes. */
  public static boolean[] statusTable(Iterable<Integer> codes) {
    boolean[] t = new boolean[600];
    for (int c : codes) {
      if (c >= 0 && c < t.length) {
        t[c] = true;
      }
    }
    return t;
  }
}
