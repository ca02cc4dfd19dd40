package dev.fulcrum.runtime;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Route;
import dev.fulcrum.upstream.Destination;
import java.net.InetSocketAddress;

/**
 * A {@code stream_listen} listener: each connection goes to the service of the Kong tcp route its
 * addresses match in the current snapshot; without a match it is closed.
 */
public final class KongStreams implements StreamFrontend {
  private final SnapshotHolder snapshots;
  private final boolean proxyProtocol;
  private final Counters counters = new Counters();

  public KongStreams(SnapshotHolder snapshots, boolean proxyProtocol) {
    this.snapshots = snapshots;
    this.proxyProtocol = proxyProtocol;
  }

  @Override
  public Destination route(InetSocketAddress client, InetSocketAddress local) {
    KongPart kong = snapshots.current().kong();
    Route r = kong.streams().match(client, local, kong);
    KongTarget t = r == null ? null : kong.service(r);
    return t == null ? null : t.stream();
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
