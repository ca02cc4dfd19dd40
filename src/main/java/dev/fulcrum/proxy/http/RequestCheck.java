package dev.fulcrum.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Rejects requests a proxy must not forward: unparsable ones, and those whose framing two servers
 * could read differently (request smuggling, RFC 9112 §6.3). Returns the status to answer with and
 * close, or 0 when the request is fine.
 */
final class RequestCheck {
  private RequestCheck() {}

  static int status(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version.majorVersion() != 1) {
      // HTTP/2 and later are not spoken on an HTTP/1 connection; 0.9 never had headers.
      return 505;
    }
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
    // One pass over the headers counts what must appear at most once.
    int transferEncodings = 0;
    int contentLengths = 0;
    int hosts = 0;
    CharSequence host = null;
    CharSequence te = null;
    CharSequence length = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = request.headers().iteratorCharSequence(); it.hasNext(); ) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.HOST)) {
        hosts++;
        host = e.getValue();
      } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
        contentLengths++;
        length = e.getValue();
      } else if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.TRANSFER_ENCODING)) {
        transferEncodings++;
        te = e.getValue();
      }
    }
    if (transferEncodings > 0) {
      // Both framings present, or a transfer coding other than plain chunked: refuse rather
      // than guess which one the upstream will believe.
      if (contentLengths > 0
          || transferEncodings > 1
          || !AsciiString.contentEqualsIgnoreCase(AsciiString.trim(te), HttpHeaderValues.CHUNKED)
          || request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
        return 400;
      }
    }
    if (contentLengths > 1 || (contentLengths == 1 && !isDigits(AsciiString.trim(length)))) {
      return 400;
    }
    // Every HTTP/1.1 and later 1.x request carries exactly one Host (RFC 9112 §3.2).
    if (hosts > 1 || (hosts == 0 && version.minorVersion() >= 1) || (host != null && !validHost(host))) {
      return 400;
    }
    String uri = request.uri();
    if (uri.isEmpty()
        || !(uri.charAt(0) == '/' || uri.startsWith("http://") || uri.startsWith("https://")
            || (uri.equals("*") && request.method().equals(HttpMethod.OPTIONS)))
        || !visible(uri)) {
      return 400;
    }
    return 0;
  }

  /**
   * A Host value is {@code uri-host [":" port]} (RFC 9112 §3.2, RFC 3986 §3.2.2): letters, digits,
   * {@code -._~}, sub-delims, {@code %} escapes, and the brackets and colons of an IPv6 literal. A
   * slash, space, {@code @}, {@code ?} or {@code #} would let the router and the server read
   * different hosts.
   */
  private static boolean validHost(CharSequence host) {
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=%:[]".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The request target holds visible ASCII only: no control bytes, no space, no DEL (RFC 9112 §3.2). */
  private static boolean visible(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigits(CharSequence s) {
    if (s.length() == 0 || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
