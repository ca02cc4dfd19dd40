package dev.fulcrum.proxy.http;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.LocalService;
import dev.fulcrum.runtime.Frontend;
import dev.fulcrum.runtime.HttpTarget;
import java.util.List;

/**
 * A {@code mode http} frontend's routing, HAProxy's way: its http-request rules (as steps), its
 * stats page, then its {@code use_backend} rules and {@code default_backend}; HAProxy's error
 * pages; the frontend's counters and timeouts. The Host and path go to the server untouched.
 */
public final class FrontendRouting implements HttpRouting {
  private final Frontend frontend;

  public FrontendRouting(Frontend frontend) {
    this.frontend = frontend;
  }

  @Override
  public List<HttpStep> steps() {
    return frontend.steps();
  }

  @Override
  public Routed route(RequestInfo r) {
    LocalService stats = frontend.stats();
    if (stats != null && stats.wants(r.uri)) {
      return Routed.answer(stats.answer(r.alloc(), r.uri));
    }
    Frontend.Rule rule = frontend.route(r);
    if (rule == null || rule.http() == null) {
      return Routed.answer(LocalResponse.full(HaproxyErrors.page(r.alloc(), 503)));
    }
    HttpTarget t = rule.http();
    if (t.local() != null && t.local().wants(r.uri)) {
      return Routed.answer(t.local().answer(r.alloc(), r.uri));
    }
    return Routed.forward(t, null);
  }

  @Override
  public ErrorPages errors() {
    return HaproxyErrors.INSTANCE;
  }

  @Override
  public long idleTimeoutMillis() {
    return frontend.idleTimeoutMillis();
  }

  @Override
  public long headTimeoutMillis() {
    return frontend.headTimeoutMillis();
  }

  @Override
  public boolean answersHeadTimeout() {
    return true;
  }

  @Override
  public long bodyTimeoutMillis() {
    return frontend.clientTimeoutMillis();
  }

  @Override
  public Counters counters() {
    return frontend.counters();
  }
}
