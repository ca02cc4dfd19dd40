package dev.fulcrum.server;

import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.runtimeapi.RuntimeModel.BackendView;
import dev.fulcrum.runtimeapi.RuntimeModel.ProxyView;
import dev.fulcrum.runtimeapi.RuntimeModel.ServerView;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamCluster;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kong upstreams as the runtime API shows them: one proxy per upstream (by name), one server
 * per target. Kong's health model has no rise/fall counter, so targets show as unchecked: "no
 * check" while healthy, "DOWN" when not, "MAINT"/"DRAIN" when an operator said so.
 */
final class KongProxies {
  private final SnapshotHolder snapshots;
  private final Map<String, BackendState> states = new ConcurrentHashMap<>();

  KongProxies(SnapshotHolder snapshots) {
    this.snapshots = snapshots;
  }

  List<ProxyView> views() {
    List<UpstreamCluster> clusters = new ArrayList<>(snapshots.current().upstreamsByName().values());
    clusters.sort(Comparator.comparing(UpstreamCluster::name));
    List<ProxyView> out = new ArrayList<>();
    for (UpstreamCluster c : clusters) {
      List<ServerView> servers = new ArrayList<>();
      for (UpstreamTarget t : c.targets()) {
        servers.add(new ServerView(t, false, 0, 0, false, 0, null));
      }
      Backend b =
          new Backend(c.name(), c.upstream().algorithm(), c.targets(), c::pick, RetryPolicy.kong(0),
              new Backend.Timeouts(0, 0, 0, 0), states.computeIfAbsent(c.upstream().id(), k -> new BackendState()));
      out.add(new ProxyView(c.name(), 0, false, "http", null, new BackendView(b, 0, false, servers)));
    }
    return out;
  }
}
