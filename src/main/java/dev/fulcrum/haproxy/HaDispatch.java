package dev.fulcrum.haproxy;

import dev.fulcrum.proxy.http.Dispatch;
import dev.fulcrum.proxy.http.ProxyFailure;
import dev.fulcrum.proxy.http.RequestInfo;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendQueue;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.concurrent.TimeUnit;

/**
 * A request of a {@code mode http} frontend on its way to a backend, HAProxy's way: the Host and
 * path untouched, X-Forwarded-For only with {@code option forwardfor}, the backend's timeouts,
 * retry-on and redispatch rules, its queue, HAProxy's error pages; backend and server counters.
 */
final class HaDispatch implements Dispatch {
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private final HaFrontend frontend;
  private final HaBackend backend;
  private final Backend b;
  private final RequestInfo request;
  /** The last try's failure while no response came after it. */
  private ProxyFailure failure;

  HaDispatch(HaFrontend frontend, HaBackend backend, RequestInfo request) {
    this.frontend = frontend;
    this.backend = backend;
    this.b = backend.backend;
    this.request = request;
    b.counters().opened();
    b.counters().requests.increment();
  }

  @Override
  public void prepare(HttpRequest req) {
    if (frontend.config.forwardFor || backend.config.forwardFor) {
      // HAProxy adds a header of its own rather than extending an existing one.
      req.headers().add(X_FORWARDED_FOR, request.clientIp);
    }
  }

  @Override
  public boolean balanced() {
    return true;
  }

  @Override
  public UpstreamTarget acquire(PickContext context, Avoid avoid) {
    UpstreamTarget t = b.acquire(context, avoid);
    if (t != null) {
      t.state().counters().opened();
    }
    return t;
  }

  @Override
  public boolean acquireAgain(UpstreamTarget target) {
    if (!target.tryAcquire()) {
      return false;
    }
    target.state().counters().opened();
    return true;
  }

  @Override
  public void redispatched(UpstreamTarget left) {
    b.redispatched(left);
  }

  @Override
  public void release(UpstreamTarget target) {
    target.state().counters().closed();
    b.release(target);
  }

  @Override
  public boolean queueable() {
    return b.anyUsable();
  }

  @Override
  public BackendQueue queue() {
    return b.state().queue();
  }

  @Override
  public long queueTimeoutMillis() {
    return b.timeouts().queue();
  }

  @Override
  public boolean severalActive() {
    return b.severalActive();
  }

  @Override
  public long connectTimeoutMillis() {
    return b.timeouts().connect();
  }

  @Override
  public long readTimeoutMillis() {
    return b.timeouts().server();
  }

  @Override
  public long writeTimeoutMillis() {
    return b.timeouts().server();
  }

  @Override
  public RetryPolicy retry() {
    return b.retry();
  }

  @Override
  public void beforeSend(HttpRequest req, UpstreamTarget target) {
    // HAProxy passes Host on as it came.
  }

  @Override
  public void onResponse(HttpResponse response, UpstreamTarget target, long tryNanos, boolean upgrade) {
    failure = null;
    int code = response.status().code();
    long ms = TimeUnit.NANOSECONDS.toMillis(tryNanos);
    b.counters().response(code);
    b.counters().responseTime.add(ms);
    if (target != null) {
      Counters c = target.state().counters();
      c.response(code);
      c.requests.increment();
      c.responseTime.add(ms);
    }
  }

  @Override
  public void onFailure(UpstreamTarget target, ProxyFailure failure, boolean stale) {
    if (stale || target == null) {
      return;
    }
    this.failure = failure;
    if (!failure.beforeSend()) {
      target.state().counters().responseErrors.increment();
      b.counters().responseErrors.increment();
    }
  }

  @Override
  public void onRetrySameServer(UpstreamTarget failed) {
    b.retried(failed);
  }

  @Override
  public void onConnected(UpstreamTarget target, long queueMillis, long connectMillis, boolean reused) {
    b.connected(target, queueMillis, connectMillis, reused);
  }

  @Override
  public void onComplete(UpstreamTarget last, int status, long bytesIn, long bytesOut, long nanos) {
    Counters fe = frontend.counters;
    fe.bytesIn.add(bytesIn);
    fe.bytesOut.add(bytesOut);
    Counters be = b.counters();
    be.bytesIn.add(bytesIn);
    be.bytesOut.add(bytesOut);
    be.totalTime.add(TimeUnit.NANOSECONDS.toMillis(nanos));
    be.closed();
    if (last != null) {
      last.state().counters().bytesIn.add(bytesIn);
      last.state().counters().bytesOut.add(bytesOut);
    }
    // Connection errors: no server to try at all, or the last try could not connect.
    if (last == null && status == 503) {
      be.connectErrors.increment();
    } else if (failure != null && failure.beforeSend()) {
      be.connectErrors.increment();
      last.state().counters().connectErrors.increment();
    }
  }

  /** HAProxy answers 503 when no connection to a server could be made (http_return_srv_error). */
  @Override
  public int status(ProxyFailure f) {
    return f.beforeSend() ? 503 : f.status();
  }

  @Override
  public FullHttpResponse error(ByteBufAllocator alloc, int status, boolean gatewayDecision) {
    return ErrorPages.page(alloc, status);
  }
}
