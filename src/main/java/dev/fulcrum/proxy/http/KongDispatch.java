package dev.fulcrum.proxy.http;

import dev.fulcrum.model.PathNormalizer;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.router.RouteMatch;
import dev.fulcrum.runtime.ServiceTarget;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamCluster;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * A request on its way to a Kong service: the upstream path by the route's strip_path and
 * path_handling, Kong's forwarding headers, the service's timeouts and retries, Kong's passive
 * health checks and error pages, the upstream's hash key.
 */
final class KongDispatch implements Dispatch {
  private final KongRouting routing;
  private final RequestInfo info;
  private final RouteMatch<ServiceTarget> match;
  private final ServiceTarget service;
  private final Service s;
  private final UpstreamCluster cluster;
  private final boolean preserveHost;
  private final long startNanos = System.nanoTime();
  private long sentNanos;
  /** A hash cookie this request lacked; sent back with the response (Kong's cookie hashing). */
  private String newHashCookie;
  private String hashCookieValue;

  KongDispatch(KongRouting routing, RequestInfo info, RouteMatch<ServiceTarget> match) {
    this.routing = routing;
    this.info = info;
    this.match = match;
    this.service = match.service();
    this.s = service.service();
    this.cluster = service.cluster();
    this.preserveHost = match.route().preserveHost();
  }

  @Override
  public void prepare(HttpRequest request) {
    String upstreamPath = PathNormalizer.escape(match.upstreamPath(info.path(), s.path()));
    HttpHeaders h = request.headers();
    ProxyHeaders.setForwarded(h, info.clientIp, "http", info.host, info.localPort, info.rawPath, match.strippedPrefix());
    if (routing.serverTokens) {
      ProxyHeaders.appendVia(h, info.request.protocolVersion().equals(HttpVersion.HTTP_1_0));
    }
    request.setUri(info.query == null ? upstreamPath : upstreamPath + info.query);
  }

  @Override
  public boolean balanced() {
    return cluster != null;
  }

  @Override
  public UpstreamTarget acquire(PickContext context, Avoid avoid) {
    UpstreamTarget t = cluster.pick(context, avoid);
    if (t != null) {
      t.state().acquired();
    }
    return t;
  }

  @Override
  public void release(UpstreamTarget target) {
    target.state().released();
  }

  @Override
  public boolean severalActive() {
    return true;
  }

  @Override
  public String fixedHost() {
    return s.host();
  }

  @Override
  public int fixedPort() {
    return s.port();
  }

  @Override
  public InetSocketAddress fixedAddress() {
    return service.literalAddress();
  }

  @Override
  public String fixedPoolKey() {
    return service.hostHeader();
  }

  @Override
  public long connectTimeoutMillis() {
    return s.connectTimeout();
  }

  @Override
  public long readTimeoutMillis() {
    return s.readTimeout();
  }

  @Override
  public long writeTimeoutMillis() {
    return s.writeTimeout();
  }

  @Override
  public RetryPolicy retry() {
    return service.retry();
  }

  @Override
  public void beforeSend(HttpRequest request, UpstreamTarget target) {
    sentNanos = System.nanoTime();
    if (!preserveHost) {
      request.headers().set(HttpHeaderNames.HOST, target != null ? target.hostHeader() : service.hostHeader());
    }
  }

  @Override
  public void onResponse(HttpResponse response, UpstreamTarget target, long tryNanos, boolean upgrade) {
    int code = response.status().code();
    long now = System.nanoTime();
    if (target != null) {
      if (cluster.measuresLatency()) {
        target.state().recordLatency(tryNanos, now);
      }
      cluster.health().passiveStatus(target.state(), code);
      target.state().counters().response(code);
    }
    HttpHeaders h = response.headers();
    if (newHashCookie != null) {
      h.add(HttpHeaderNames.SET_COOKIE, newHashCookie);
    }
    if (upgrade) {
      return;
    }
    if (routing.serverTokens) {
      ProxyHeaders.appendVia(h, false);
    }
    if (routing.latencyTokens) {
      h.set(ProxyHeaders.X_KONG_UPSTREAM_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(now - sentNanos)));
      h.set(ProxyHeaders.X_KONG_PROXY_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(sentNanos - startNanos)));
    }
  }

  @Override
  public void onFailure(UpstreamTarget target, ProxyFailure failure, boolean stale) {
    if (target != null && !stale) {
      cluster.health().passiveFailure(target.state(), failure.timeout);
    }
  }

  @Override
  public FullHttpResponse error(ByteBufAllocator alloc, int status, boolean gatewayDecision) {
    String message =
        gatewayDecision && status == 503 ? "failure to get a peer from the ring-balancer" : ErrorResponses.messageFor(status);
    return routing.error(alloc, status, message, info.request, gatewayDecision);
  }

  @Override
  public boolean latencyHeader() {
    return routing.latencyTokens;
  }

  /** The request's value for a consistent-hashing source. */
  @Override
  public String hashValue(Upstream.HashSpec spec) {
    switch (spec.source()) {
      case "ip":
        return info.clientIp;
      case "header":
        return HashKeys.header(info.request.headers(), spec.name());
      case "path":
        return info.path();
      case "query_arg":
        return HashKeys.queryArg(info.query, spec.name());
      case "uri_capture":
        return capture(spec.name());
      case "cookie":
        return hashCookie(spec.name());
      default:
        // "consumer" needs authentication, which this gateway does not do yet: fall back.
        return null;
    }
  }

  private String capture(String name) {
    Matcher m = match.captures();
    if (m == null) {
      return null;
    }
    try {
      return name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  /** The hash cookie, made up (and later set on the response) when the client has none. */
  private String hashCookie(String name) {
    String value = HashKeys.cookie(info.request.headers(), name);
    if (value != null) {
      return value;
    }
    if (newHashCookie == null) {
      value = java.util.UUID.randomUUID().toString();
      newHashCookie = name + "=" + value + "; Path=" + cluster.upstream().hashOnCookiePath() + "; Same-Site=Lax; HttpOnly";
      hashCookieValue = value;
    }
    return hashCookieValue;
  }
}
