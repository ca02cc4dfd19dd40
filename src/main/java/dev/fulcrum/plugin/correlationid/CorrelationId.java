package dev.fulcrum.plugin.correlationid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Kong's correlation-id: a request without the header (or with an empty one) gets one made by
 * the configured generator ({@link Generators}) before it goes to the server; one it brought is
 * kept. With {@code echo_downstream} the same value goes back on the response, the gateway's own
 * answers included.
 */
public final class CorrelationId implements HttpStep {
  public static final int PRIORITY = 100001;

  private final String headerName;
  private final Generators.Kind generator;
  private final boolean echoDownstream;

  public CorrelationId(ObjectNode config) {
    JsonNode name = config.get("header_name");
    this.headerName = name == null || name.isNull() ? null : name.asText();
    this.generator = Generators.Kind.of(config.path("generator").asText("uuid#counter"));
    this.echoDownstream = config.path("echo_downstream").asBoolean(false);
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    if (headerName == null) {
      // Kong's handler cannot read a header without a name: the plugin fails, a 500.
      ctx.respond(500);
      return Flow.STOP;
    }
    String id = present(ctx);
    if (id == null) {
      id = Generators.next(generator, ctx);
      ctx.request().headers().set(headerName, id);
    }
    if (echoDownstream) {
      ctx.attach(this, id);
      ctx.alsoOnLocalAnswers(this);
    }
    return Flow.CONTINUE;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    if (!echoDownstream || headerName == null) {
      return;
    }
    Object id = ctx.attachment(this);
    if (id == null) {
      // Another instance of the plugin (a consumer's own) ran on the request.
      String seen = present(ctx);
      id = seen != null ? seen : Generators.next(generator, ctx);
    }
    response.headers().set(headerName, id);
  }

  /** The request's own id, or null when it has none or an empty one. */
  private String present(StepContext ctx) {
    String v = ctx.request().headers().get(headerName);
    return v == null || v.isBlank() ? null : v.trim();
  }
}
