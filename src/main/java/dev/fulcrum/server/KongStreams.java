package dev.fulcrum.server;

import dev.fulcrum.proxy.tcp.TcpFrontend;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.metrics.Counters;
import java.net.InetSocketAddress;

/**
 * A {@code stream_listen} listener: each connection goes to the service of the Kong tcp route its
 * addresses match in the current snapshot; without a match it is closed.
 */
final class KongStreams implements TcpFrontend {
  private final SnapshotHolder snapshots;
  private final boolean proxyProtocol;
  private final Counters counters = new Counters();

  KongStreams(SnapshotHolder snapshots, boolean proxyProtocol) {
    this.snapshots = snapshots;
    this.proxyProtocol = proxyProtocol;
  }

  @Override
  public Backend route(InetSocketAddress client, InetSocketAddress local) {
    return snapshots.current().streams().match(client, local);
  }

  @Override
  public Counters counters() {
    return counters;
  }

  /** Inactivity is the service's business (its read_timeout, Kong's proxy_timeout). */
  @Override
  public long clientTimeoutMillis() {
    return 0;
  }

  @Override
  public boolean acceptProxy() {
    return proxyProtocol;
  }

}
