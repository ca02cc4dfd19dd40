package dev.fulcrum.proxy.http;

import dev.fulcrum.model.PathNormalizer;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;

/**
 * What routing needs to know about a request, read once: the Host header split into host and
 * port, the path (raw, and normalized on demand), the query, and the connection's addresses.
 */
public final class RequestInfo {
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
  public final InetSocketAddress client;
  public final InetSocketAddress local;
  public final String clientIp;
  public final String localPort;

  RequestInfo(
      HttpRequest request, String hostHeader, String host, int port, String rawPath, String query, String uri, InetSocketAddress client, InetSocketAddress local, String clientIp, String localPort) {
    this.request = request;
    this.hostHeader = hostHeader;
    this.host = host;
    this.port = port;
    this.rawPath = rawPath;
    this.query = query;
    this.uri = uri;
    this.client = client;
    this.local = local;
    this.clientIp = clientIp;
    this.localPort = localPort;
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
}
