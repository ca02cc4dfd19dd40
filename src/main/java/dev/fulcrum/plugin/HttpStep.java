package dev.fulcrum.plugin;

import io.netty.handler.codec.http.HttpResponse;

/**
 * One step of the request pipeline, with Kong's plugin phases: {@link #onRequest} in the access
 * phase (after routing, before a server is picked; it may answer, or pause for I/O), {@link
 * #onResponse} when the response head is on its way to the client (Kong's header_filter, HAProxy's
 * http-response rules), {@link #onLog} once the exchange is over. HAProxy's http-request and
 * http-response rules and Kong's plugins are steps. Steps are immutable and shared by every request
 * that takes their route; whatever a request needs to remember goes in the context.
 */
public interface HttpStep {
  /** Runs on the request's event loop; must not block. */
  default Flow onRequest(StepContext ctx) {
    return Flow.CONTINUE;
  }

  /** The response head (from the server, or a local answer), before it goes out; may change headers. */
  default void onResponse(StepContext ctx, HttpResponse response) {}

  /** The exchange is over (response sent or aborted): count, log. */
  default void onLog(StepContext ctx) {}
}
