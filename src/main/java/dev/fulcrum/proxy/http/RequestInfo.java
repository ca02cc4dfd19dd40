package dev.fulcrum.proxy.http;

import dev.fulcrum.model.PathNormalizer;
import dev.fulcrum.router.RequestFacts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What routing and rules need to know about a request, read once (the parse/check phase): the
 * Host header split into host and port, the path (raw, and normalized on demand), the query, and
 * the connection's addresses. It is also what HAProxy's ACLs and plugin conditions see.
 */
public final class RequestInfo implements RequestFacts {
  public final HttpRequest request;
  /** The Host header (or the authority of an absolute-form URI), possibly null. */
  public final String hostHeader;
  /** The host, lowercased, without port; empty when there is no Host. */
  public final String host;
  public final int port;
  /** The path as received, without the query. */
  public final String rawPath;
  private String path;
  /** The query with its leading {@code ?}, or null. */
  public final String query;
  /** The request target in origin form ({@code /path?query}). */
  public final String uri;
  public final boolean http10;
  public final AsciiString clientIp;
  public final AsciiString localPort;
  private final ClientHandler connection;

  private RequestInfo(HttpRequest request, String hostHeader, String host, int port, String rawPath, String query,
      String uri, ClientHandler connection) {
    this.request = request;
    this.hostHeader = hostHeader;
    this.host = host;
    this.port = port;
    this.rawPath = rawPath;
    this.query = query;
    this.uri = uri;
    this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.clientIp = connection.clientIp;
    this.localPort = connection.localPort;
    this.connection = connection;
  }

  /**
   * Reads a checked request: an absolute-form target (RFC 9112 §3.2.2) becomes origin form with
   * its authority as Host. Null when the Host's port is not a number.
   */
  static RequestInfo read(HttpRequest request, ClientHandler connection) {
    HttpHeaders h = request.headers();
    String uri = request.uri();
    String hostHeader = h.get(HttpHeaderNames.HOST);
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      int authorityStart = uri.indexOf("//") + 2;
      int pathStart = uri.indexOf('/', authorityStart);
      hostHeader = uri.substring(authorityStart, pathStart < 0 ? uri.length() : pathStart);
      uri = pathStart < 0 ? "/" : uri.substring(pathStart);
      h.set(HttpHeaderNames.HOST, hostHeader);
      request.setUri(uri);
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? null : uri.substring(q);
    String host = "";
    int port = connection.localPortNumber;
    if (hostHeader != null) {
      int colon = hostHeader.lastIndexOf(':');
      if (colon > 0 && hostHeader.indexOf(']', colon) < 0) {
        host = hostHeader.substring(0, colon);
        try {
          port = Integer.parseInt(hostHeader.substring(colon + 1));
        } catch (NumberFormatException e) {
          return null;
        }
      } else {
        host = hostHeader;
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    return new RequestInfo(request, hostHeader, host, port, rawPath, query, uri, connection);
  }

  /**
   * The path normalized (dot segments, percent-encoding), computed on first use: Kong's router
   * needs it, HAProxy's rules match the raw path.
   */
  public String path() {
    if (path == null) {
      path = PathNormalizer.normalize(rawPath);
    }
    return path;
  }

  ByteBufAllocator alloc() {
    return connection.alloc();
  }

  // ------------------------------------------------------------ request facts

  @Override
  public boolean http() {
    return true;
  }

  @Override
  public String method() {
    return request.method().name();
  }

  /** HAProxy's path fetch: the path as received. */
  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String uri() {
    return uri;
  }

  /** HAProxy's hdr(): every value, comma-separated lists split (hdr(host) is one value). */
  @Override
  public List<String> header(String name) {
    List<String> all = request.headers().getAll(name);
    if (all.isEmpty() || name.equalsIgnoreCase("host")) {
      return all;
    }
    List<String> out = new ArrayList<>();
    for (String v : all) {
      for (String part : v.split(",")) {
        out.add(part.trim());
      }
    }
    return out;
  }

  @Override
  public InetSocketAddress client() {
    return connection.remote;
  }

  @Override
  public InetSocketAddress local() {
    return connection.local;
  }
}
