package dev.fulcrum.plugin.rules;

import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.router.RequestFacts;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.Predicate;

/**
 * HAProxy's {@code http-request|http-response set-header|add-header|del-header <name> [<fmt>]
 * [if|unless <cond>]}: set replaces every value, add appends one, del removes them all; on the
 * request before it goes to the server, or on the response before it goes to the client.
 */
public final class HeaderRule implements HttpStep {
  public enum Action {
    SET,
    ADD,
    DEL
  }

  private final boolean response;
  private final Action action;
  private final String name;
  private final Template value;
  private final Predicate<RequestFacts> when;

  /**
   * @param response an http-response rule (else http-request)
   * @param value the value (null for del-header)
   * @param when the rule's condition, or null for always
   */
  public HeaderRule(boolean response, Action action, String name, Template value, Predicate<RequestFacts> when) {
    this.response = response;
    this.action = action;
    this.name = name;
    this.value = value;
    this.when = when;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    if (!response && applies(ctx)) {
      apply(ctx.request().headers(), ctx.facts());
    }
    return Flow.CONTINUE;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse r) {
    if (response && applies(ctx)) {
      apply(r.headers(), ctx.facts());
    }
  }

  private boolean applies(StepContext ctx) {
    return when == null || when.test(ctx.facts());
  }

  private void apply(HttpHeaders h, RequestFacts facts) {
    switch (action) {
      case SET:
        h.set(name, value.render(facts));
        break;
      case ADD:
        h.add(name, value.render(facts));
        break;
      default:
        h.remove(name);
    }
  }
}
