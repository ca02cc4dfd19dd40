package dev.fulcrum.proxy.http;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.PathNormalizer;
import dev.fulcrum.model.Protocol;
import dev.fulcrum.model.Route;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.router.RouteMatch;
import dev.fulcrum.runtime.HttpTarget;
import dev.fulcrum.runtime.KongPart;
import dev.fulcrum.runtime.KongTarget;
import dev.fulcrum.runtime.SnapshotHolder;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;

/**
 * Kong's routing: the current snapshot's router, then the matched route's service; the request
 * rewritten for it as Kong's runloop does (the upstream path by strip_path and path_handling,
 * X-Forwarded-*, X-Real-IP, Via).
 */
public final class KongRouting implements HttpRouting {
  private final SnapshotHolder snapshots;
  private final KongErrors errors;
  private final Counters counters = new Counters();
  private final long idleTimeoutMillis;
  private final long headTimeoutMillis;
  private final long bodyTimeoutMillis;

  /** @param idle, head, body nginx's keepalive_timeout, client_header_timeout, client_body_timeout (ms) */
  KongRouting(SnapshotHolder snapshots, KongErrors errors, long idle, long head, long body) {
    this.snapshots = snapshots;
    this.errors = errors;
    this.idleTimeoutMillis = idle;
    this.headTimeoutMillis = head;
    this.bodyTimeoutMillis = body;
  }

  @Override
  public List<HttpStep> steps() {
    return List.of();
  }

  @Override
  public Routed route(RequestInfo r) {
    HttpRequest req = r.request;
    KongPart kong = snapshots.current().kong();
    RouteMatch match = kong.router().match(req.method().name(), r.host, r.port, r.path(), req.headers(), kong);
    if (match == null) {
      return answer(r, 404, "no Route matched with those values");
    }
    Route route = match.route();
    if (!route.protocols().contains(Protocol.HTTP)) {
      return refuseHttp(r, route);
    }
    KongTarget service = kong.service(route);
    if (service == null || service.http() == null) {
      return answer(r, 503, "no Service found with those values");
    }
    String upstreamPath = PathNormalizer.escape(match.upstreamPath(r.path(), service.service().path()));
    HttpHeaders h = req.headers();
    ProxyHeaders.setForwarded(h, r.clientIp, ProxyHeaders.HTTP, r.host, r.localPort, r.rawPath, match.strippedPrefix());
    if (errors.serverTokens()) {
      ProxyHeaders.appendVia(h, r.http10);
    }
    if (!h.contains(HttpHeaderNames.CONNECTION)) {
      // Kong's nginx sets Connection ($upstream_connection) on every proxied request; HAProxy
      // leaves HTTP/1.1's default alone, and so does the haproxy.cfg dialect.
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    req.setUri(r.query == null ? upstreamPath : upstreamPath + r.query);
    HttpTarget target = service.http(route.preserveHost());
    List<HttpStep> chain = kong.chain(route);
    if (chain != null) {
      target = new HttpTarget(target.destination(), chain, target.local());
    }
    return Routed.forward(target, match);
  }

  @Override
  public ErrorPages errors() {
    return errors;
  }

  @Override
  public long idleTimeoutMillis() {
    return idleTimeoutMillis;
  }

  @Override
  public long headTimeoutMillis() {
    return headTimeoutMillis;
  }

  @Override
  public long bodyTimeoutMillis() {
    return bodyTimeoutMillis;
  }

  @Override
  public Counters counters() {
    return counters;
  }

  private Routed answer(RequestInfo r, int status, String message) {
    return Routed.answer(LocalResponse.full(errors.error(r.alloc(), status, message, r.request, true)));
  }

  /** An https-only route reached over plain HTTP: 426, or the configured redirect. */
  private Routed refuseHttp(RequestInfo r, Route route) {
    int status = route.httpsRedirectStatusCode();
    FullHttpResponse resp;
    if (status == 426) {
      resp = errors.error(r.alloc(), 426, "Please use HTTPS protocol", r.request, true);
      resp.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
      resp.headers().set(HttpHeaderNames.UPGRADE, "TLS/1.2, HTTP/1.1");
    } else {
      resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.EMPTY_BUFFER);
      // Kong's Location: https:// + nginx's $host (lowercased, without port) + the request URI.
      resp.headers().set(HttpHeaderNames.LOCATION, "https://" + r.host + r.request.uri());
      resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return Routed.answer(LocalResponse.full(resp));
  }
}
