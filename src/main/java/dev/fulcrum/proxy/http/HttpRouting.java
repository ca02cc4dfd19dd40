package dev.fulcrum.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Where the requests of one listener go: Kong's router over the current snapshot, or a
 * haproxy.cfg frontend's rules. The exchange does all the I/O; routing only decides.
 */
public interface HttpRouting {
  /** The destination and rules for one request; never null. */
  Dispatch route(RequestInfo request);

  /**
   * An answer to a request that could not be read (malformed, too large), in this listener's
   * error format.
   */
  FullHttpResponse badRequest(ByteBufAllocator alloc, int status, HttpRequest request);

  /** Whether answers of the node's own carry Kong's X-Kong-Response-Latency. */
  default boolean latencyHeader() {
    return false;
  }

  /**
   * How long a client connection may sit without a request (idle keep-alive, or a request head
   * still incomplete) before it is closed; 0 for never.
   */
  default long idleTimeoutMillis() {
    return 60_000;
  }

  /** A request was answered with {@code status} (-1: aborted), for counters. */
  default void responded(int status) {}

  /** A client connection opened on the listener (counters). */
  default void connectionOpened() {}

  default void connectionClosed() {}
}
