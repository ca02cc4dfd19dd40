package dev.fulcrum.proxy.http;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.plugin.HttpStep;
import java.util.List;

/**
 * Where the requests of one listener go: Kong's router over the current snapshot, or a
 * haproxy.cfg frontend's rules. The exchange does all the I/O; routing only decides.
 */
public interface HttpRouting {
  /** Steps every request of the listener takes before it is routed (a frontend's http-request rules). */
  List<HttpStep> steps();

  /** The decision for one request; never null. */
  Routed route(RequestInfo request);

  /** The dialect's own answers. */
  ErrorPages errors();

  /**
   * How long a client connection may sit without a request (idle keep-alive, or a request head
   * still incomplete) before it is closed; 0 for never.
   */
  long idleTimeoutMillis();

  /**
   * How long a request head may take once its first byte arrived (nginx's client_header_timeout,
   * HAProxy's timeout http-request); 0 for never.
   */
  default long headTimeoutMillis() {
    return idleTimeoutMillis();
  }

  /** Whether a head that took too long is answered 408 before the close (HAProxy) or just closed (nginx). */
  default boolean answersHeadTimeout() {
    return false;
  }

  /**
   * How long the client may leave a request body waiting between two pieces (nginx's
   * client_body_timeout, HAProxy's timeout client); 0 for never.
   */
  default long bodyTimeoutMillis() {
    return 0;
  }

  /** The listener's traffic counters (HAProxy's frontend row). */
  Counters counters();
}
