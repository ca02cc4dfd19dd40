package dev.fulcrum.plugin.requestsizelimiting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Kong's request-size-limiting: a body larger than {@code allowed_payload_size} (in bytes,
 * kilobytes or megabytes, powers of 1024) is refused with 413 "Request size limit exceeded", or
 * 417 when the client waits for 100-continue. A Content-Length is judged at once, before anything
 * reaches the server; a chunked body is counted as it streams and cut at the limit. With {@code
 * require_content_length}, a request with neither gets 411.
 */
public final class RequestSizeLimiting implements HttpStep {
  public static final int PRIORITY = 951;

  static final String TOO_LARGE = "Request size limit exceeded";

  /** The limit in bytes; null when the configuration has no size (Kong's plugin then fails). */
  private final Long allowedBytes;
  private final boolean requireContentLength;

  public RequestSizeLimiting(ObjectNode config) {
    JsonNode size = config.get("allowed_payload_size");
    long factor = switch (config.path("size_unit").asText("megabytes")) {
      case "bytes" -> 1;
      case "kilobytes" -> 1024;
      default -> 1024 * 1024;
    };
    this.allowedBytes = size == null || size.isNull() ? null : saturatedProduct(size.asLong(), factor);
    this.requireContentLength = config.path("require_content_length").asBoolean(false);
  }

  private static long saturatedProduct(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return low;
    }
    return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    HttpRequest request = ctx.request();
    String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (length != null) {
      // The request check let only plain digits through.
      if (allowedBytes == null) {
        return unconfigured(ctx);
      }
      if (Long.parseLong(length.trim()) > allowedBytes) {
        tooLarge(ctx);
        return Flow.STOP;
      }
      return Flow.CONTINUE;
    }
    boolean chunked = HttpUtil.isTransferEncodingChunked(request);
    if (requireContentLength && !chunked) {
      ctx.error(411, "A valid Content-Length header is required", null);
      return Flow.STOP;
    }
    if (!chunked) {
      return Flow.CONTINUE;
    }
    if (allowedBytes == null) {
      return unconfigured(ctx);
    }
    if (!ctx.limitBody(allowedBytes, () -> tooLarge(ctx))) {
      tooLarge(ctx);
      return Flow.STOP;
    }
    return Flow.CONTINUE;
  }

  private static void tooLarge(StepContext ctx) {
    ctx.error(ctx.expectsContinue() ? 417 : 413, TOO_LARGE, null);
  }

  /** A size of null makes Kong's handler fail on every body it judges: a 500. */
  private static Flow unconfigured(StepContext ctx) {
    ctx.respond(500);
    return Flow.STOP;
  }
}
