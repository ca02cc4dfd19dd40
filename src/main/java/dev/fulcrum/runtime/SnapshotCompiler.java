package dev.fulcrum.runtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.router.Router;
import dev.fulcrum.router.StreamRouter;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.Balancers;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.UpstreamCluster;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link ConfigSnapshot} from the entities in the store. Runs off the event loops; the
 * long-lived target states are looked up, never recreated, so health survives recompiles.
 */
public final class SnapshotCompiler {
  private final TargetStates targetStates;
  /** Counters and queues of stream services, by service id; outlive snapshots like target states. */
  private final Map<String, BackendState> streamStates = new java.util.concurrent.ConcurrentHashMap<>();

  public SnapshotCompiler(TargetStates targetStates) {
    this.targetStates = targetStates;
  }

  public ConfigSnapshot compile(
      long version, List<ObjectNode> services, List<ObjectNode> routes, List<ObjectNode> upstreams, List<ObjectNode> targets) {
    Map<String, List<Target>> targetsByUpstream = new HashMap<>();
    for (ObjectNode doc : targets) {
      Target t = Target.from(doc);
      targetsByUpstream.computeIfAbsent(t.upstreamId(), k -> new ArrayList<>()).add(t);
    }
    Map<String, UpstreamCluster> clusters = new HashMap<>();
    Set<String> liveStates = new HashSet<>();
    for (ObjectNode doc : upstreams) {
      Upstream u = Upstream.from(doc);
      List<Target> ts = new ArrayList<>(targetsByUpstream.getOrDefault(u.id(), List.of()));
      ts.sort(Comparator.comparing(Target::target));
      List<UpstreamTarget> compiled = new ArrayList<>();
      for (Target t : ts) {
        String hostHeader = u.hostHeader() != null ? u.hostHeader() : UpstreamTarget.hostHeader(t.host(), t.port(), false);
        compiled.add(
            new UpstreamTarget(
                u.id(), t.target(), t.host(), t.port(), t.weight(), compiled.size(),
                targetStates.get(u.id(), u.name(), t.target()), hostHeader, u.healthchecks().enabled()));
        liveStates.add(TargetStates.key(u.id(), t.target()));
      }
      clusters.put(u.name(), new UpstreamCluster(u, compiled, Balancers.create(u, compiled)));
    }
    Map<String, ServiceTarget> serviceTargets = new HashMap<>();
    Map<String, Backend> streamBackends = new HashMap<>();
    for (ObjectNode doc : services) {
      Service s = Service.from(doc);
      ServiceTarget st = new ServiceTarget(s, clusters.get(s.host()));
      serviceTargets.put(s.id(), st);
      if ("tcp".equals(s.protocol())) {
        Backend b = streamBackend(st, liveStates);
        if (b != null) {
          streamBackends.put(s.id(), b);
        }
      }
    }
    targetStates.sweep(liveStates);
    List<Route> compiledRoutes = new ArrayList<>();
    for (ObjectNode doc : routes) {
      Route r = Route.from(doc);
      if (r.serviceId() != null) {
        ServiceTarget st = serviceTargets.get(r.serviceId());
        // Kong leaves routes of disabled services out of the router.
        if (st == null || !st.service().enabled()) {
          continue;
        }
      }
      compiledRoutes.add(r);
    }
    Router<ServiceTarget> router =
        Router.compile(compiledRoutes, r -> r.serviceId() == null ? null : serviceTargets.get(r.serviceId()));
    StreamRouter<Backend> streams =
        StreamRouter.compile(compiledRoutes, r -> r.serviceId() == null ? null : streamBackends.get(r.serviceId()));
    return new ConfigSnapshot(version, router, streams, Map.copyOf(clusters));
  }

  /**
   * A tcp service as the L4 proxy balances it: its upstream's targets, or its one host (resolved
   * here, off the event loops; a name that does not resolve leaves the service without a backend).
   */
  private Backend streamBackend(ServiceTarget st, Set<String> liveStates) {
    Service s = st.service();
    RetryPolicy retry = RetryPolicy.kongStream(s.retries());
    // Kong's stream proxy_timeout: inactivity in either direction ends the session.
    Backend.Timeouts timeouts = new Backend.Timeouts(s.connectTimeout(), s.readTimeout(), s.readTimeout(), 0);
    BackendState state = streamStates.computeIfAbsent(s.id(), k -> new BackendState());
    UpstreamCluster cluster = st.cluster();
    if (cluster != null) {
      return new Backend(s.name() != null ? s.name() : s.id(), cluster.upstream().algorithm(), cluster.targets(),
          cluster::pick, retry, timeouts, state);
    }
    String ip;
    try {
      ip = java.net.InetAddress.getByName(s.host()).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
    String target = s.host() + ":" + s.port();
    UpstreamTarget t =
        new UpstreamTarget(
            s.id(), ip + ":" + s.port(), ip, s.port(), 1, 0, targetStates.get(s.id(), s.name(), target),
            UpstreamTarget.hostHeader(s.host(), s.port(), false), false);
    liveStates.add(TargetStates.key(s.id(), target));
    return new Backend(s.name() != null ? s.name() : s.id(), "none", List.of(t),
        (ctx, avoid) -> t.usable() && !avoid.avoid(t) ? t : null, retry, timeouts, state);
  }

  /** Reads every entity the proxy uses, in one read transaction. */
  public ConfigSnapshot compile(dev.fulcrum.store.Store store, long version) {
    return store.read(
        tx ->
            compile(
                version,
                tx.all(Entities.SERVICES),
                tx.all(Entities.ROUTES),
                tx.all(Entities.UPSTREAMS),
                tx.all(Entities.TARGETS)));
  }
}
