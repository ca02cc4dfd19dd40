package dev.fulcrum.proxy.http;

import dev.fulcrum.model.Route;
import dev.fulcrum.router.RouteMatch;
import dev.fulcrum.runtime.ServiceTarget;
import dev.fulcrum.runtime.SnapshotHolder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Kong's routing: the current snapshot's router, then the matched route's service. */
public final class KongRouting implements HttpRouting {
  final SnapshotHolder snapshots;
  final boolean serverTokens;
  final boolean latencyTokens;
  final String errorDefaultType;

  KongRouting(SnapshotHolder snapshots, boolean serverTokens, boolean latencyTokens, String errorDefaultType) {
    this.snapshots = snapshots;
    this.serverTokens = serverTokens;
    this.latencyTokens = latencyTokens;
    this.errorDefaultType = errorDefaultType;
  }

  @Override
  public Dispatch route(RequestInfo r) {
    RouteMatch<ServiceTarget> match =
        snapshots.current().router().match(r.request.method().name(), r.host, r.port, r.path(), r.request.headers());
    if (match == null) {
      return answer(r, 404, "no Route matched with those values");
    }
    Route route = match.route();
    if (!route.protocols().contains("http")) {
      return refuseHttp(r, route);
    }
    if (match.service() == null) {
      return answer(r, 503, "no Service found with those values");
    }
    return new KongDispatch(this, r, match);
  }

  @Override
  public boolean latencyHeader() {
    return latencyTokens;
  }

  @Override
  public FullHttpResponse badRequest(ByteBufAllocator alloc, int status, HttpRequest request) {
    // Kong answers oversized headers with 400 "Request header or cookie too large" (nginx 494).
    return error(alloc, status == 431 ? 400 : status, ErrorResponses.messageFor(status), request, false);
  }

  FullHttpResponse error(
      ByteBufAllocator alloc, int status, String message, HttpRequest request, boolean gatewayDecision) {
    return ErrorResponses.build(
        alloc, status, message, request.headers().get(HttpHeaderNames.ACCEPT),
        gatewayDecision ? "application/json" : errorDefaultType, ErrorResponses.requestId(), serverTokens);
  }

  private Dispatch answer(RequestInfo r, int status, String message) {
    return new LocalAnswer(alloc -> error(alloc, status, message, r.request, true), latencyTokens);
  }

  /** An https-only route reached over plain HTTP: 426, or the configured redirect. */
  private Dispatch refuseHttp(RequestInfo r, Route route) {
    int status = route.httpsRedirectStatusCode();
    if (status == 426) {
      return new LocalAnswer(alloc -> {
        FullHttpResponse resp =
            ErrorResponses.build(
                alloc, 426, "Please use HTTPS protocol", r.request.headers().get(HttpHeaderNames.ACCEPT),
                "application/json", ErrorResponses.requestId(), serverTokens);
        resp.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
        resp.headers().set(HttpHeaderNames.UPGRADE, "TLS/1.2, HTTP/1.1");
        return resp;
      }, latencyTokens);
    }
    return new LocalAnswer(alloc -> {
      FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
      // Kong's Location: https:// + nginx's $host (lowercased, without port) + the request URI.
      resp.headers().set(HttpHeaderNames.LOCATION, "https://" + r.host + r.request.uri());
      resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      return resp;
    }, latencyTokens);
  }
}
