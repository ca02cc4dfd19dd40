package dev.fulcrum.runtime;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.router.RequestFacts;
import dev.fulcrum.upstream.Destination;
import java.net.InetSocketAddress;

/**
 * A frontend as one of its {@code bind} lines serves it: the address, the bind's options
 * (accept-proxy) and the cap its connections count against (the bind's maxconn, else the
 * frontend's).
 */
public final class Binding implements StreamFrontend {
  private final Frontend frontend;
  private final String host;
  private final int port;
  private final boolean acceptProxy;
  private final ConnectionLimit limit;

  public Binding(Frontend frontend, String host, int port, boolean acceptProxy, ConnectionLimit limit) {
    this.frontend = frontend;
    this.host = host;
    this.port = port;
    this.acceptProxy = acceptProxy;
    this.limit = limit;
  }

  public Frontend frontend() {
    return frontend;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public ConnectionLimit limit() {
    return limit;
  }

  @Override
  public Destination route(InetSocketAddress client, InetSocketAddress local) {
    Frontend.Rule r = frontend.route(RequestFacts.ofConnection(client, local));
    return r == null ? null : r.tcp();
  }

  @Override
  public Counters counters() {
    return frontend.counters();
  }

  @Override
  public long clientTimeoutMillis() {
    return frontend.clientTimeoutMillis();
  }

  @Override
  public boolean acceptProxy() {
    return acceptProxy;
  }
}
