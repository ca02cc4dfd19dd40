package dev.fulcrum.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * Rejects requests a proxy must not forward: unparsable ones, and those whose framing two servers
 * could read differently (request smuggling, RFC 9112 §6.3). Returns the status to answer with and
 * close, or 0 when the request is fine.
 */
final class RequestCheck {
  private RequestCheck() {}

  static int status(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return 414;
      }
      if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
        return 431;
      }
      return 400;
    }
    HttpHeaders h = request.headers();
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!te.isEmpty()) {
      // Both framings present, or a transfer coding other than plain chunked: refuse rather
      // than guess which one the upstream will believe.
      if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        return 400;
      }
      if (te.size() != 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
        return 400;
      }
      if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        return 400;
      }
    }
    List<String> lengths = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
    if (lengths.size() > 1) {
      return 400;
    }
    if (lengths.size() == 1 && !lengths.get(0).trim().matches("\\d{1,18}")) {
      return 400;
    }
    List<String> hosts = h.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return 400;
    }
    if (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return 400;
    }
    String uri = request.uri();
    if (uri.isEmpty()
        || !(uri.charAt(0) == '/' || uri.startsWith("http://") || uri.startsWith("https://") || uri.equals("*"))) {
      return 400;
    }
    return 0;
  }
}
