package dev.fulcrum.proxy.http;

import dev.fulcrum.conf.Version;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Header rewriting on the way to the upstream and back, as Kong does it (nginx_kong.lua, the
 * runloop handler): hop-by-hop headers dropped, X-Forwarded-* and X-Real-IP set, Via appended.
 */
final class ProxyHeaders {
  static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
  static final AsciiString X_FORWARDED_PATH = AsciiString.cached("x-forwarded-path");
  static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");
  static final AsciiString X_KONG_REQUEST_ID = AsciiString.cached("x-kong-request-id");
  static final AsciiString X_KONG_UPSTREAM_LATENCY = AsciiString.cached("x-kong-upstream-latency");
  static final AsciiString X_KONG_PROXY_LATENCY = AsciiString.cached("x-kong-proxy-latency");
  static final AsciiString X_KONG_RESPONSE_LATENCY = AsciiString.cached("x-kong-response-latency");
  static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  static final AsciiString HTTP = AsciiString.cached("http");
  static final AsciiString KEEP_ALIVE_UPGRADE = AsciiString.cached("keep-alive, Upgrade");
  static final AsciiString VIA_TOKEN = AsciiString.cached("1.1 " + Version.SERVER);
  static final AsciiString VIA_TOKEN_10 = AsciiString.cached("1.0 " + Version.SERVER);
  private static final String VIA_SUFFIX_11 = ", 1.1 " + Version.SERVER;
  private static final String VIA_SUFFIX_10 = ", 1.0 " + Version.SERVER;

  private ProxyHeaders() {}

  /**
   * Removes the headers that belong to one connection (RFC 9110 §7.6.1): Connection and the
   * headers it names, Keep-Alive, Proxy-Connection, TE (unless only "trailers"), Upgrade, Trailer
   * is end-to-end and stays. Transfer-Encoding stays: the encoder frames the body by it. A
   * Connection that names Content-Length, Transfer-Encoding or Host does not remove them: without
   * its framing a body would reach the server as the start of the next request (smuggling).
   */
  static void removeHopByHop(HttpHeaders h, boolean keepUpgrade) {
    String connection = h.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      // Usually just "keep-alive" or "close"; only other tokens name headers to drop.
      if (!connection.equalsIgnoreCase("keep-alive") && !connection.equalsIgnoreCase("close")) {
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
          for (String token : value.split(",")) {
            String name = token.trim();
            if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade")) && !framing(name)) {
              h.remove(name);
            }
          }
        }
      }
      h.remove(HttpHeaderNames.CONNECTION);
    }
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    h.remove(PROXY_CONNECTION);
    if (!keepUpgrade) {
      h.remove(HttpHeaderNames.UPGRADE);
    }
    String te = h.get(HttpHeaderNames.TE);
    if (te != null && !te.trim().equalsIgnoreCase("trailers")) {
      h.remove(HttpHeaderNames.TE);
    }
  }

  private static boolean framing(String name) {
    return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")
        || name.equalsIgnoreCase("host");
  }

  /** Appends this proxy to Via (RFC 9110 §7.6.3). */
  static void appendVia(HttpHeaders h, boolean http10) {
    String via = h.get(HttpHeaderNames.VIA);
    if (via == null) {
      h.set(HttpHeaderNames.VIA, http10 ? VIA_TOKEN_10 : VIA_TOKEN);
    } else {
      h.set(HttpHeaderNames.VIA, via + (http10 ? VIA_SUFFIX_10 : VIA_SUFFIX_11));
    }
  }

  /** Sets the X-Forwarded-* family and X-Real-IP for the upstream request. */
  static void setForwarded(
      HttpHeaders h, AsciiString clientIp, AsciiString scheme, String host, AsciiString port, String path,
      String prefix) {
    String xff = h.get(X_FORWARDED_FOR);
    h.set(X_FORWARDED_FOR, xff == null ? clientIp : xff + ", " + clientIp);
    h.set(X_REAL_IP, clientIp);
    h.set(X_FORWARDED_PROTO, scheme);
    h.set(X_FORWARDED_HOST, host);
    h.set(X_FORWARDED_PORT, port);
    h.set(X_FORWARDED_PATH, path);
    if (prefix != null) {
      h.set(X_FORWARDED_PREFIX, prefix);
    } else {
      h.remove(X_FORWARDED_PREFIX);
    }
  }

  static boolean isWebSocketUpgrade(HttpHeaders h) {
    return h.contains(HttpHeaderNames.UPGRADE)
        && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
  }
}
