package dev.fulcrum.proxy.http;

import dev.fulcrum.upstream.ProxyFailure;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;

/**
 * HAProxy's built-in error pages (src/http.c, http_err_msgs), byte for byte: users' monitors and
 * tests match on them (the 503 is 107 bytes, "No server is available to handle this request.").
 */
public final class HaproxyErrors implements ErrorPages {
  public static final HaproxyErrors INSTANCE = new HaproxyErrors();

  private record Page(String reason, String text, boolean close) {}

  private static final Map<Integer, Page> PAGES =
      Map.ofEntries(
          Map.entry(200, new Page("OK", "Service ready.", false)),
          Map.entry(400, new Page("Bad request", "Your browser sent an invalid request.", true)),
          Map.entry(403, new Page("Forbidden", "Request forbidden by administrative rules.", false)),
          Map.entry(404, new Page("Not Found", "The resource could not be found.", false)),
          Map.entry(405, new Page("Method Not Allowed",
              "A request was made of a resource using a request method not supported by that resource", false)),
          Map.entry(408, new Page("Request Time-out", "Your browser didn't send a complete request in time.", true)),
          Map.entry(410, new Page("Gone", "The resource is no longer available and will not be available again.", false)),
          Map.entry(421, new Page("Misdirected Request", "Request sent to a non-authoritative server.", false)),
          Map.entry(425, new Page("Too Early", "Your browser sent early data.", false)),
          Map.entry(429, new Page("Too Many Requests", "You have sent too many requests in a given amount of time.", false)),
          Map.entry(500, new Page("Internal Server Error", "An internal server error occurred.", false)),
          Map.entry(502, new Page("Bad Gateway", "The server returned an invalid or incomplete response.", false)),
          Map.entry(503, new Page("Service Unavailable", "No server is available to handle this request.", false)),
          Map.entry(504, new Page("Gateway Time-out", "The server didn't respond in time.", false)));

  /** Whether HAProxy has a page of its own for {@code status} (deny_status must name one). */
  public static boolean hasPage(int status) {
    return PAGES.containsKey(status);
  }

  private HaproxyErrors() {}

  @Override
  public FullHttpResponse page(ByteBufAllocator alloc, int status, Cause cause, HttpRequest request) {
    return page(alloc, cause == Cause.BAD_REQUEST ? 400 : status);
  }

  /** HAProxy answers 503 when no connection to a server could be made (http_return_srv_error). */
  @Override
  public int status(ProxyFailure failure) {
    return failure.beforeSend() ? 503 : failure.status();
  }

  /** The page for {@code status}; statuses HAProxy has no page for get its 500 page's wording. */
  public static FullHttpResponse page(ByteBufAllocator alloc, int status) {
    Page p = PAGES.get(status);
    if (p == null) {
      p = PAGES.get(status >= 500 ? 500 : 400);
      status = status >= 500 ? 500 : 400;
    }
    String body = "<html><body><h1>" + status + " " + p.reason() + "</h1>\n" + p.text() + "\n</body></html>\n";
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, new HttpResponseStatus(status, p.reason()), ByteBufUtil.writeAscii(alloc, body));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    if (p.close()) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_HTML);
    return r;
  }
}
