package dev.fulcrum.proxy.http;

import dev.fulcrum.conf.Version;
import dev.fulcrum.upstream.ProxyFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Responses the gateway writes itself, in Kong's four formats (kong/tools/http.lua error
 * templates). The format follows the request's Accept header; without one, errors from routing
 * and balancing are JSON (Kong's kong.response.error) and upstream failures take the
 * {@code error_default_type} setting (Kong's nginx error pages).
 */
public final class KongErrors implements ErrorPages {
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  private static final String XML = "application/xml; charset=utf-8";

  private final boolean serverTokens;
  private final boolean latencyTokens;
  private final String errorDefaultType;

  /**
   * @param serverTokens whether answers carry Server (the headers setting)
   * @param latencyTokens whether they carry X-Kong-Response-Latency
   * @param errorDefaultType the format of upstream failures when Accept chooses none
   */
  KongErrors(boolean serverTokens, boolean latencyTokens, String errorDefaultType) {
    this.serverTokens = serverTokens;
    this.latencyTokens = latencyTokens;
    this.errorDefaultType = errorDefaultType;
  }

  @Override
  public FullHttpResponse page(ByteBufAllocator alloc, int status, Cause cause, HttpRequest request) {
    switch (cause) {
      case BAD_REQUEST:
        // Kong answers oversized headers with 400 "Request header or cookie too large" (nginx 494).
        return error(alloc, status == 431 ? 400 : status, messageFor(status), request, false);
      case GATEWAY:
        return error(alloc, status, status == 503 ? "failure to get a peer from the ring-balancer" : messageFor(status),
            request, true);
      default:
        return error(alloc, status, messageFor(status), request, false);
    }
  }

  @Override
  public int status(ProxyFailure failure) {
    return failure.status();
  }

  @Override
  public String serverHeader() {
    return serverTokens ? Version.SERVER : null;
  }

  @Override
  public boolean latencyHeader() {
    return latencyTokens;
  }

  boolean serverTokens() {
    return serverTokens;
  }

  boolean latencyTokens() {
    return latencyTokens;
  }

  /**
   * An error in Kong's format.
   *
   * @param gatewayDecision routing and balancing errors: JSON unless Accept says otherwise;
   *     upstream failures follow error_default_type
   */
  FullHttpResponse error(ByteBufAllocator alloc, int status, String message, HttpRequest request, boolean gatewayDecision) {
    return build(alloc, status, message, request.headers().get(HttpHeaderNames.ACCEPT),
        gatewayDecision ? "application/json" : errorDefaultType, requestId(), serverTokens);
  }

  @Override
  public FullHttpResponse message(ByteBufAllocator alloc, int status, String message, HttpRequest request) {
    return error(alloc, status, message, request, true);
  }

  /** A fresh request id: 32 hex digits, like nginx's $request_id. */
  public static String requestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format("%016x%016x", r.nextLong(), r.nextLong());
  }

  /**
   * @param defaultType content type when Accept does not choose one ("application/json" for
   *     gateway decisions, the error_default_type setting for upstream failures)
   */
  public static FullHttpResponse build(
      ByteBufAllocator alloc,
      int status,
      String message,
      String accept,
      String defaultType,
      String requestId,
      boolean serverTokens) {
    String type = negotiate(accept, defaultType);
    String body;
    String contentType;
    switch (type) {
      case "text/html":
        contentType = HTML;
        body =
            "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n"
                + "  </head>\n  <body>\n    <h1>Error</h1>\n    <p>" + escapeXml(message) + ".</p>\n"
                + "    <p>request_id: " + requestId + "</p>\n  </body>\n</html>\n";
        break;
      case "application/xml":
        contentType = XML;
        body =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>" + escapeXml(message)
                + "</message>\n  <requestid>" + requestId + "</requestid>\n</error>\n";
        break;
      case "text/plain":
        contentType = TEXT;
        body = message + "\nrequest_id: " + requestId + "\n";
        break;
      default:
        contentType = JSON;
        body = "{\n  \"message\":\"" + escapeJson(message) + "\",\n  \"request_id\":\"" + requestId + "\"\n}";
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), ByteBufUtil.writeUtf8(alloc, body));
    HttpHeaders h = response.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    h.set(ProxyHeaders.X_KONG_REQUEST_ID, requestId);
    if (serverTokens) {
      h.set(HttpHeaderNames.SERVER, Version.SERVER);
    }
    return response;
  }

  /** The best of json, html, xml and plain text by the Accept header's q-values. */
  static String negotiate(String accept, String defaultType) {
    if (accept == null || accept.isBlank()) {
      return defaultType;
    }
    String best = null;
    double bestQ = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.trim().split(";");
      String media = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      String type = supported(media, defaultType);
      if (type != null && q > bestQ) {
        best = type;
        bestQ = q;
      }
    }
    return best == null ? defaultType : best;
  }

  private static String supported(String media, String defaultType) {
    switch (media) {
      case "application/json":
      case "application/*+json":
        return "application/json";
      case "text/html":
      case "application/xhtml+xml":
        return "text/html";
      case "application/xml":
      case "text/xml":
        return "application/xml";
      case "text/plain":
        return "text/plain";
      case "*/*":
      case "text/*":
      case "application/*":
        return defaultType;
      default:
        return null;
    }
  }

  private static String escapeJson(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String escapeXml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Kong's wording for the statuses the gateway produces (kong/error_handlers.lua). */
  public static String messageFor(int status) {
    switch (status) {
      case 400:
        return "Bad request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not found";
      case 405:
        return "Method not allowed";
      case 408:
        return "Request timeout";
      case 411:
        return "Length required";
      case 412:
        return "Precondition failed";
      case 413:
        return "Payload too large";
      case 414:
        return "URI too long";
      case 417:
        return "Expectation failed";
      case 431:
        return "Request header or cookie too large";
      case 500:
        return "An unexpected error occurred";
      case 501:
        return "Not implemented";
      case 502:
        return "An invalid response was received from the upstream server";
      case 503:
        return "The upstream server is currently unavailable";
      case 504:
        return "The upstream server is timing out";
      default:
        return "The upstream server responded with " + status;
    }
  }
}
