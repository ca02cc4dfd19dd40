package dev.fulcrum.proxy.http;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.BackendQueue;
import dev.fulcrum.upstream.Retries;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetSocketAddress;

/**
 * One routed request: where it goes (balanced servers, or one fixed host) and the rules on the
 * way (timeouts, retries, headers, error pages, health and counters). A Kong route's service and
 * a haproxy.cfg backend are two kinds; the {@link Exchange} moves the bytes for both.
 */
public interface Dispatch extends Retries.Slots {
  /** An answer of its own instead of proxying (no route, no backend, the stats page), or null. */
  default FullHttpResponse localAnswer(ByteBufAllocator alloc) {
    return null;
  }

  /** Rewrites the request for its destination (path, forwarding headers) once, before the first try. */
  void prepare(HttpRequest request);

  // ------------------------------------------------------------------ where

  /** True when the request goes to balanced servers, false for {@link #fixedHost}. */
  boolean balanced();

  /** Picks a server and takes a slot on it, skipping {@code avoid}; null when none can take it. */
  @Override
  UpstreamTarget acquire(PickContext context, Avoid avoid);

  /** Gives back the slot {@link #acquire} took. */
  void release(UpstreamTarget target);

  /** Whether some server is usable but at its maxconn: the request may wait in {@link #queue}. */
  default boolean queueable() {
    return false;
  }

  default BackendQueue queue() {
    return null;
  }

  default long queueTimeoutMillis() {
    return 0;
  }

  /** More than one active server is usable (HAProxy redispatches at once then). */
  boolean severalActive();

  /** Host to connect to when not balanced (name or IP literal). */
  default String fixedHost() {
    return null;
  }

  default int fixedPort() {
    return 0;
  }

  /** The fixed host's address when it is an IP literal (no resolution needed), else null. */
  default InetSocketAddress fixedAddress() {
    return null;
  }

  /** Key of the keep-alive pool for the fixed host. */
  default String fixedPoolKey() {
    return null;
  }

  // ------------------------------------------------------------------ rules

  long connectTimeoutMillis();

  /** Longest wait for the upstream to send something (0: none). */
  long readTimeoutMillis();

  /** Longest wait for the upstream to take request body bytes (0: none). */
  long writeTimeoutMillis();

  RetryPolicy retry();

  // ------------------------------------------------------------------ hooks

  /** Sets what depends on the chosen server (Host), just before a try sends the request. */
  void beforeSend(HttpRequest request, UpstreamTarget target);

  /**
   * The response head arrived from {@code target} (null for a fixed host): count it, adjust its
   * headers. Hop-by-hop headers are already gone.
   *
   * @param tryNanos time from sending the request to this head
   * @param upgrade a 101 switching to a tunnel
   */
  void onResponse(HttpResponse response, UpstreamTarget target, long tryNanos, boolean upgrade);

  /** A try at {@code target} failed; {@code stale} when a reused idle connection had closed. */
  void onFailure(UpstreamTarget target, ProxyFailure failure, boolean stale);

  /** A failed try is retried on {@code failed} again (no redispatch). */
  default void onRetrySameServer(UpstreamTarget failed) {}

  /**
   * A try reached {@code target} on a new connection after {@code connectMillis} or on a reused
   * one, having waited {@code queueMillis} in the queue.
   */
  default void onConnected(UpstreamTarget target, long queueMillis, long connectMillis, boolean reused) {}

  /** The request is over: {@code status} sent (or -1), body bytes each way, time taken. */
  default void onComplete(UpstreamTarget lastTarget, int status, long bytesIn, long bytesOut, long nanos) {}

  /** The status a request gets when {@code failure} ended its last try (Kong's by default). */
  default int status(ProxyFailure failure) {
    return failure.status();
  }

  /** An error page in this destination's format. */
  FullHttpResponse error(ByteBufAllocator alloc, int status, boolean gatewayDecision);

  /** The value to hash for a Kong hash spec, or null. */
  default String hashValue(Upstream.HashSpec spec) {
    return null;
  }

  /** Whether own answers (errors) may carry Kong's latency header. */
  default boolean latencyHeader() {
    return false;
  }
}
