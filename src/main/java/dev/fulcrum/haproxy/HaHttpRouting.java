package dev.fulcrum.haproxy;

import dev.fulcrum.proxy.http.Dispatch;
import dev.fulcrum.proxy.http.HttpRouting;
import dev.fulcrum.proxy.http.LocalAnswer;
import dev.fulcrum.proxy.http.RequestInfo;
import dev.fulcrum.runtimeapi.RuntimeModel;
import dev.fulcrum.metrics.Counters;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code mode http} frontend's routing: its stats page, then its {@code use_backend} rules and
 * {@code default_backend}; HAProxy's error pages; frontend counters.
 */
final class HaHttpRouting implements HttpRouting {
  private final HaFrontend frontend;
  private final RuntimeModel model;

  HaHttpRouting(HaFrontend frontend, RuntimeModel model) {
    this.frontend = frontend;
    this.model = model;
  }

  @Override
  public Dispatch route(RequestInfo r) {
    Counters c = frontend.counters;
    c.requests.increment();
    c.requestRate.tick();
    HaproxyConfig.Proxy fe = frontend.config;
    if (StatsPage.wants(fe, r.uri)) {
      return new LocalAnswer(alloc -> StatsPage.render(alloc, fe, r.uri, model), false);
    }
    HaBackend b = frontend.route(new Facts(r));
    if (b == null) {
      return new LocalAnswer(alloc -> ErrorPages.page(alloc, 503), false);
    }
    if (b.config != fe && StatsPage.wants(b.config, r.uri)) {
      return new LocalAnswer(alloc -> StatsPage.render(alloc, b.config, r.uri, model), false);
    }
    return new HaDispatch(frontend, b, r);
  }

  @Override
  public FullHttpResponse badRequest(ByteBufAllocator alloc, int status, HttpRequest request) {
    frontend.counters.requestErrors.increment();
    // HAProxy answers unparsable and oversized requests alike: 400.
    return ErrorPages.page(alloc, 400);
  }

  /** timeout http-keep-alive, else http-request, else client (HAProxy's fallbacks). */
  @Override
  public long idleTimeoutMillis() {
    HaproxyConfig.Proxy p = frontend.config;
    if (p.timeoutHttpKeepAlive > 0) {
      return p.timeoutHttpKeepAlive;
    }
    return p.timeoutHttpRequest > 0 ? p.timeoutHttpRequest : p.timeoutClient;
  }

  @Override
  public void responded(int status) {
    if (status > 0) {
      frontend.counters.response(status);
    }
  }

  @Override
  public void connectionOpened() {
    frontend.counters.opened();
  }

  @Override
  public void connectionClosed() {
    frontend.counters.closed();
  }

  /** What the ACLs of an HTTP request see. */
  private static final class Facts implements Acl.Facts {
    private final RequestInfo r;

    Facts(RequestInfo r) {
      this.r = r;
    }

    @Override
    public boolean http() {
      return true;
    }

    @Override
    public String method() {
      return r.request.method().name();
    }

    @Override
    public String path() {
      return r.rawPath;
    }

    @Override
    public String uri() {
      return r.uri;
    }

    /** HAProxy's hdr(): every value, comma-separated lists split (hdr(host) is one value). */
    @Override
    public List<String> header(String name) {
      HttpHeaders h = r.request.headers();
      List<String> all = h.getAll(name);
      if (all.isEmpty() || name.equalsIgnoreCase("host")) {
        return all;
      }
      List<String> out = new ArrayList<>();
      for (String v : all) {
        for (String part : v.split(",")) {
          out.add(part.trim());
        }
      }
      return out;
    }

    @Override
    public InetSocketAddress client() {
      return r.client;
    }

    @Override
    public InetSocketAddress local() {
      return r.local;
    }
  }
}
