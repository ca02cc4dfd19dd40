package dev.fulcrum.proxy.http;

import dev.fulcrum.conf.Version;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
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
public final class ErrorResponses {
  private static final String JSON = "application/json; charset=utf-8";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  private static final String XML = "application/xml; charset=utf-8";

  private ErrorResponses() {}

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
