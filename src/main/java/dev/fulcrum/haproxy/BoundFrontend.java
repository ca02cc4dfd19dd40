package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Bind;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.proxy.tcp.TcpFrontend;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.metrics.Counters;
import java.net.InetSocketAddress;
import java.util.List;

/** A frontend as one of its {@code bind} lines serves it (bind options such as accept-proxy). */
final class BoundFrontend implements TcpFrontend {
  final HaFrontend frontend;
  final Bind bind;
  private final ConnectionLimit limit;
  private volatile HaHttpRouting http;

  BoundFrontend(HaFrontend frontend, Bind bind, ConnectionLimit limit) {
    this.frontend = frontend;
    this.bind = bind;
    this.limit = limit;
  }

  boolean http() {
    return frontend.config.http();
  }

  /** The routing of a {@code mode http} frontend, made once. */
  HaHttpRouting httpRouting(dev.fulcrum.runtimeapi.RuntimeModel model) {
    HaHttpRouting h = http;
    if (h == null) {
      h = new HaHttpRouting(frontend, model);
      http = h;
    }
    return h;
  }

  @Override
  public Backend route(InetSocketAddress client, InetSocketAddress local) {
    HaBackend b = frontend.route(new TcpFacts(client, local));
    return b == null ? null : b.backend;
  }

  @Override
  public Counters counters() {
    return frontend.counters;
  }

  /** The cap its connections count against (the bind's, else the frontend's). */
  ConnectionLimit limit() {
    return limit;
  }

  @Override
  public long clientTimeoutMillis() {
    return frontend.config.timeoutClient;
  }

  @Override
  public boolean acceptProxy() {
    return bind.acceptProxy();
  }


  /** What a TCP session offers the rules: addresses only. */
  private record TcpFacts(InetSocketAddress client, InetSocketAddress local) implements Acl.Facts {
    @Override
    public boolean http() {
      return false;
    }

    @Override
    public String method() {
      return null;
    }

    @Override
    public String path() {
      return null;
    }

    @Override
    public String uri() {
      return null;
    }

    @Override
    public List<String> header(String name) {
      return List.of();
    }
  }
}
