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

  /** The listener's traffic counters (HAProxy's frontend row). */
  Counters counters();
}
