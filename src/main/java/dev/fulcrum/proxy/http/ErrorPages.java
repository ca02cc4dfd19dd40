package dev.fulcrum.proxy.http;

import dev.fulcrum.upstream.ProxyFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;

/** The answers a listener's dialect gives when the gateway answers itself (Kong's or HAProxy's). */
public interface ErrorPages {
  /** Why the gateway answers. */
  enum Cause {
    /** The request could not be read or is not allowed to pass (malformed, smuggling, too large). */
    BAD_REQUEST,
    /** The client was too slow sending its request (head or body): 408. */
    CLIENT_TIMEOUT,
    /** Routing or balancing decided (no server to take it, the queue timed out, a rule denied it). */
    GATEWAY,
    /** The server failed (could not connect, reset, timed out, answered garbage). */
    UPSTREAM
  }

  FullHttpResponse page(ByteBufAllocator alloc, int status, Cause cause, HttpRequest request);

  /** A step's own answer with its message (Kong's kong.response.error); the status page elsewhere. */
  default FullHttpResponse message(ByteBufAllocator alloc, int status, String message, HttpRequest request) {
    return page(alloc, status, Cause.GATEWAY, request);
  }

  /** The status of a request whose last try failed this way. */
  int status(ProxyFailure failure);

  /** The Server header every answer of the gateway's own carries (Kong's server_tokens), or null. */
  default String serverHeader() {
    return null;
  }

  /** Whether answers of the gateway's own carry Kong's X-Kong-Response-Latency. */
  default boolean latencyHeader() {
    return false;
  }
}
