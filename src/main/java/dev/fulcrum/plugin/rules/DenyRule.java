package dev.fulcrum.plugin.rules;

import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.router.RequestFacts;
import java.util.function.Predicate;

/**
 * HAProxy's {@code http-request deny [deny_status <status>] [if|unless <cond>]}: the request ends
 * here with the listener's error page for the status (403 by default); later rules do not run.
 */
public final class DenyRule implements HttpStep {
  private final int status;
  private final Predicate<RequestFacts> when;

  /** @param when the rule's condition, or null for always */
  public DenyRule(int status, Predicate<RequestFacts> when) {
    this.status = status;
    this.when = when;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    if (when != null && !when.test(ctx.facts())) {
      return Flow.CONTINUE;
    }
    ctx.respond(status);
    return Flow.STOP;
  }
}
