package dev.fulcrum.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How connections to one kind of upstream speak TLS: the client context (trust, verification,
 * client certificate) and where the server name (SNI, and the name the certificate must carry
 * when verifying) comes from. Connections are pooled under a key that includes {@link #id()} and
 * the server name, so a connection made with one set of TLS settings never serves another.
 */
public final class UpstreamTls {
  /** Where the server name comes from. */
  public enum Sni {
    /** None (HAProxy without {@code sni}): verification, if any, checks the chain only. */
    NONE,
    /** A fixed name (HAProxy's {@code sni str(name)}). */
    FIXED,
    /** The Host header sent upstream, without its port (Kong; HAProxy's {@code sni req.hdr(host)}). */
    HOST_HEADER
  }

  private final SslContext context;
  private final String id;
  private final Sni sni;
  private final String fixedName;

  UpstreamTls(SslContext context, String id, Sni sni, String fixedName) {
    this.context = context;
    this.id = id;
    this.sni = sni;
    this.fixedName = fixedName;
  }

  /** The same context with the server name taken from elsewhere. */
  public UpstreamTls withSni(Sni how, String name) {
    return new UpstreamTls(context, id, how, name);
  }

  /** Distinguishes the TLS settings in pool keys. */
  public String id() {
    return id;
  }

  /**
   * The server name for a request whose outgoing Host header is {@code hostHeader}: null when
   * there is none to send (no SNI is sent for an IP address either).
   */
  public String serverName(CharSequence hostHeader) {
    switch (sni) {
      case FIXED:
        return fixedName;
      case HOST_HEADER:
        return hostHeader == null ? null : withoutPort(hostHeader.toString());
      default:
        return null;
    }
  }

  /** The pool key of a connection to {@code target} with server name {@code serverName}. */
  public String poolKey(String target, String serverName) {
    return target + "|tls:" + id + "|" + (serverName == null ? "" : serverName);
  }

  /**
   * A handler that starts the handshake once the connection is up.
   *
   * @param serverName sent as SNI (unless an IP address) and checked against the certificate
   *     when verifying; null for none
   * @param address the peer's address, identifying the session for resumption
   */
  public SslHandler handler(ByteBufAllocator alloc, String serverName, String address, int port, long timeoutMillis) {
    SslHandler h = context.newHandler(alloc, serverName != null ? serverName : address, port);
    h.setHandshakeTimeoutMillis(Math.max(1, timeoutMillis));
    if (serverName != null && serverName.indexOf('.') < 0 && !serverName.isEmpty()) {
      // The JDK and Netty send no SNI for a name without a dot ("localhost"); nginx and HAProxy
      // do, and servers choosing a certificate by name expect it.
      SSLEngine engine = h.engine();
      SSLParameters p = engine.getSSLParameters();
      try {
        p.setServerNames(List.of(new SNIHostName(serverName)));
        engine.setSSLParameters(p);
      } catch (IllegalArgumentException e) {
        // not a host name SNI can carry: none is sent
      }
    }
    return h;
  }

  static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(1, end) : host;
    }
    int colon = host.indexOf(':');
    // One colon is host:port; more is an IPv6 address without brackets.
    return colon >= 0 && host.indexOf(':', colon + 1) < 0 ? host.substring(0, colon) : host;
  }
}
