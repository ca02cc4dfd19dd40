package dev.fulcrum.plugin.requesttermination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.StepContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Kong's request-termination: every request of its scope is answered here with the configured
 * status and either a JSON {@code {"message": ...}} (the message, or Kong's wording for the
 * status) or the configured body and content type; with {@code trigger} only requests that carry
 * that header or query argument, the others go on. With {@code echo} the answer describes the
 * request instead ({@link Echo}).
 */
public final class RequestTermination implements HttpStep {
  public static final int PRIORITY = 2;

  private static final String JSON = "application/json; charset=utf-8";

  private final int status;
  private final String trigger;
  private final boolean echo;
  /** The message of a JSON answer (configured or Kong's default for the status), or null. */
  private final String message;
  /** The answer's body, made once (null: none), and its content type (null: none). */
  private final byte[] body;
  private final String contentType;

  public RequestTermination(ObjectNode config) {
    this.status = config.path("status_code").asInt(503);
    this.trigger = text(config, "trigger");
    this.echo = config.path("echo").asBoolean(false);
    String configured = text(config, "message");
    this.message = configured != null ? configured : defaultMessage(status);
    String rawBody = text(config, "body");
    if (rawBody != null) {
      body = rawBody.getBytes(StandardCharsets.UTF_8);
      contentType = text(config, "content_type");
    } else if (message != null) {
      ObjectNode o = Json.object();
      o.put("message", message);
      body = Json.bytes(o);
      contentType = JSON;
    } else {
      body = null;
      contentType = null;
    }
  }

  private static String text(ObjectNode config, String field) {
    JsonNode v = config.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** The statuses Kong's handler has words for; others answer without a body. */
  static String defaultMessage(int status) {
    return switch (status) {
      case 401 -> "Unauthorized";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 500 -> "An unexpected error occurred";
      case 502 -> "Bad Gateway";
      case 503 -> "Service unavailable";
      default -> null;
    };
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    if (trigger != null && !Echo.triggered(ctx, trigger)) {
      return Flow.CONTINUE;
    }
    if (echo) {
      ctx.respond(answer(status, Json.bytes(Echo.describe(ctx, message)), JSON));
    } else {
      ctx.respond(answer(status, body, contentType));
    }
    return Flow.STOP;
  }

  /**
   * A complete answer; as nginx does, a status that has no body (1xx, 204, 304) goes without body
   * and Content-Length.
   */
  static LocalResponse answer(int status, byte[] body, String contentType) {
    boolean bodiless = status < 200 || status == 204 || status == 304;
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
        bodiless || body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    if (!bodiless) {
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
      if (contentType != null && body != null) {
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
      }
    }
    return LocalResponse.full(r);
  }
}
