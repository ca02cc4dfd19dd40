package dev.fulcrum.plugin.rules;

import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.util.AsciiString;

/**
 * HAProxy's {@code option forwardfor}: an X-Forwarded-For header of its own with the client's
 * address, added rather than appended to one the client sent.
 */
public final class ForwardedFor implements HttpStep {
  public static final ForwardedFor INSTANCE = new ForwardedFor();
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private ForwardedFor() {}

  @Override
  public Flow onRequest(StepContext ctx) {
    ctx.request().headers().add(X_FORWARDED_FOR, ctx.facts().client().getAddress().getHostAddress());
    return Flow.CONTINUE;
  }
}
