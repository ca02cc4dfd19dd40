package dev.fulcrum.proxy.http;

import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/**
 * Kong's own response headers on proxied responses (the {@code headers} setting): Via with
 * server_tokens, X-Kong-Upstream-Latency and X-Kong-Proxy-Latency with latency_tokens. A step
 * every Kong service takes; upgrades (101) go through untouched.
 */
final class KongHeaders implements HttpStep {
  private final boolean via;
  private final boolean latency;

  KongHeaders(boolean via, boolean latency) {
    this.via = via;
    this.latency = latency;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    if (response.status().code() == 101) {
      return;
    }
    HttpHeaders h = response.headers();
    if (via) {
      ProxyHeaders.appendVia(h, false);
    }
    if (latency) {
      long sent = ctx.sentNanos();
      h.set(ProxyHeaders.X_KONG_UPSTREAM_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)));
      h.set(ProxyHeaders.X_KONG_PROXY_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(sent - ctx.receivedNanos())));
    }
  }
}
