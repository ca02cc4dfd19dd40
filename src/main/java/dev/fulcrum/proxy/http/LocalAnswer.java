package dev.fulcrum.proxy.http;

import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.Function;

/** A routing decision to answer the request here (no route, no backend, a stats page). */
public final class LocalAnswer implements Dispatch {
  private final Function<ByteBufAllocator, FullHttpResponse> response;
  private final boolean latencyHeader;

  public LocalAnswer(Function<ByteBufAllocator, FullHttpResponse> response, boolean latencyHeader) {
    this.response = response;
    this.latencyHeader = latencyHeader;
  }

  @Override
  public FullHttpResponse localAnswer(ByteBufAllocator alloc) {
    return response.apply(alloc);
  }

  @Override
  public boolean latencyHeader() {
    return latencyHeader;
  }

  @Override
  public void prepare(HttpRequest request) {}

  @Override
  public boolean balanced() {
    return false;
  }

  @Override
  public UpstreamTarget acquire(PickContext context, Avoid avoid) {
    return null;
  }

  @Override
  public void release(UpstreamTarget target) {}

  @Override
  public boolean severalActive() {
    return false;
  }

  @Override
  public long connectTimeoutMillis() {
    return 0;
  }

  @Override
  public long readTimeoutMillis() {
    return 0;
  }

  @Override
  public long writeTimeoutMillis() {
    return 0;
  }

  @Override
  public RetryPolicy retry() {
    return RetryPolicy.kong(0);
  }

  @Override
  public void beforeSend(HttpRequest request, UpstreamTarget target) {}

  @Override
  public void onResponse(HttpResponse response, UpstreamTarget target, long tryNanos, boolean upgrade) {}

  @Override
  public void onFailure(UpstreamTarget target, ProxyFailure failure, boolean stale) {}

  @Override
  public FullHttpResponse error(ByteBufAllocator alloc, int status, boolean gatewayDecision) {
    return response.apply(alloc);
  }
}
