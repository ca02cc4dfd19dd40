package dev.fulcrum.runtime;

import dev.fulcrum.model.Acl;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.BasicAuthCredential;
import dev.fulcrum.model.Dialect;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import dev.fulcrum.model.Plugin;
import dev.fulcrum.model.Protocol;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.model.Vault;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.bundled.Bundled;
import dev.fulcrum.router.Router;
import dev.fulcrum.router.StreamRouter;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.net.UpstreamTls;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.HealthRules;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.Timeouts;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles the Kong entities into the runtime, change by change: a route write adds and removes
 * that route's entries in the persistent router; a target or upstream write rebuilds that
 * upstream's backend and the services that use it; a service write rebuilds that service. So a
 * write costs what it touches, whatever the number of routes. Runs on the configuration thread
 * only (never an event loop); the long-lived target states are looked up, never recreated, so
 * health survives every change.
 */
public final class KongCompiler {
  private final TargetStates states;
  private final ServerEvents events;
  private final List<HttpStep> serviceSteps;
  private final TlsContexts tls;

  private final Map<String, Service> services = new HashMap<>();
  private final Map<String, Route> routes = new HashMap<>();
  private final Map<String, Route> streamRoutes = new HashMap<>();
  private final Map<String, Upstream> upstreams = new HashMap<>();
  private final Map<String, Target> targets = new HashMap<>();
  private final Map<String, Plugin> plugins = new HashMap<>();
  private final Map<String, Consumer> consumers = new HashMap<>();
  private final Map<String, KeyCredential> keys = new HashMap<>();
  private final Map<String, Vault> vaults = new HashMap<>();
  private final Map<String, BasicAuthCredential> basicAuths = new HashMap<>();
  private final Map<String, Acl> acls = new HashMap<>();
  private final PluginChains pluginChains;
  private Map<String, List<HttpStep>> chains = Map.of();
  /** Target ids by upstream id. */
  private final Map<String, Set<String>> targetsOf = new HashMap<>();
  /** Service ids by the host they name (an upstream's name, or a plain host). */
  private final Map<String, Set<String>> servicesByHost = new HashMap<>();

  private Router router = Router.EMPTY;
  private StreamRouter streams = StreamRouter.EMPTY;
  /** Compiled upstreams by id. */
  private final Map<String, Backend> upstreamBackends = new HashMap<>();
  private final Map<String, KongTarget> serviceTargets = new HashMap<>();
  private KongPart part = KongPart.EMPTY;

  /**
   * @param serviceSteps steps every service's requests take (Kong's response headers)
   */
  public KongCompiler(TargetStates states, ServerEvents events, List<HttpStep> serviceSteps) {
    this(states, events, serviceSteps, TlsContexts.defaults());
  }

  /** @param tls the contexts of https services */
  public KongCompiler(TargetStates states, ServerEvents events, List<HttpStep> serviceSteps, TlsContexts tls) {
    this(states, events, serviceSteps, tls, Bundled.NodeState.create(DEFAULT_CACHE_BYTES), Map.of());
  }

  /**
   * @param plugins the plugins' state that outlives configurations (counters, cached responses)
   * @param environment the variables vault references in plugin configs read
   */
  public KongCompiler(TargetStates states, ServerEvents events, List<HttpStep> serviceSteps, TlsContexts tls,
      Bundled.NodeState plugins, Map<String, String> environment) {
    this.states = states;
    this.events = events;
    this.serviceSteps = List.copyOf(serviceSteps);
    this.tls = tls;
    this.pluginChains = new PluginChains(plugins, this.serviceSteps, environment);
  }

  private static final long DEFAULT_CACHE_BYTES = 128L << 20;

  /** The last compiled part. */
  public KongPart current() {
    return part;
  }

  /**
   * Makes {@code all} the whole configuration: what this compiler knows and {@code all} lacks is
   * deleted. For a node that reloads everything after missing part of the change log.
   */
  public KongPart replaceAll(long version, KongChanges all) {
    routes.keySet().forEach(id -> all.routes.putIfAbsent(id, null));
    services.keySet().forEach(id -> all.services.putIfAbsent(id, null));
    upstreams.keySet().forEach(id -> all.upstreams.putIfAbsent(id, null));
    targets.keySet().forEach(id -> all.targets.putIfAbsent(id, null));
    plugins.keySet().forEach(id -> all.plugins.putIfAbsent(id, null));
    consumers.keySet().forEach(id -> all.consumers.putIfAbsent(id, null));
    keys.keySet().forEach(id -> all.keys.putIfAbsent(id, null));
    vaults.keySet().forEach(id -> all.vaults.putIfAbsent(id, null));
    basicAuths.keySet().forEach(id -> all.basicAuths.putIfAbsent(id, null));
    acls.keySet().forEach(id -> all.acls.putIfAbsent(id, null));
    return apply(version, all);
  }

  /** Applies the changes and returns the runtime of the entities as they are now. */
  public KongPart apply(long version, KongChanges changes) {
    boolean streamsChanged = false;
    for (Map.Entry<String, Route> e : changes.routes.entrySet()) {
      Route old = e.getValue() == null ? routes.remove(e.getKey()) : routes.put(e.getKey(), e.getValue());
      if (old != null) {
        router = router.without(old);
        streamsChanged |= streamRoutes.remove(old.id()) != null;
      }
      Route now = e.getValue();
      if (now != null) {
        router = router.with(now);
        if (StreamRouter.routes(now)) {
          streamRoutes.put(now.id(), now);
          streamsChanged = true;
        }
      }
    }
    if (streamsChanged) {
      streams = StreamRouter.compile(streamRoutes.values());
    }

    Set<String> touchedUpstreams = new HashSet<>(changes.upstreams.keySet());
    Set<String> touchedHosts = new HashSet<>();
    for (Map.Entry<String, Target> e : changes.targets.entrySet()) {
      Target old = e.getValue() == null ? targets.remove(e.getKey()) : targets.put(e.getKey(), e.getValue());
      if (old != null) {
        touchedUpstreams.add(old.upstreamId());
        targetsOf.getOrDefault(old.upstreamId(), new HashSet<>()).remove(old.id());
      }
      if (e.getValue() != null) {
        touchedUpstreams.add(e.getValue().upstreamId());
        targetsOf.computeIfAbsent(e.getValue().upstreamId(), k -> new HashSet<>()).add(e.getKey());
      }
    }
    for (Map.Entry<String, Upstream> e : changes.upstreams.entrySet()) {
      Upstream old = e.getValue() == null ? upstreams.remove(e.getKey()) : upstreams.put(e.getKey(), e.getValue());
      if (old != null) {
        touchedHosts.add(old.name());
      }
      if (e.getValue() != null) {
        touchedHosts.add(e.getValue().name());
      }
    }
    for (String id : touchedUpstreams) {
      Upstream u = upstreams.get(id);
      if (u == null) {
        Backend gone = upstreamBackends.remove(id);
        if (gone != null) {
          touchedHosts.add(gone.name());
        }
      } else {
        upstreamBackends.put(id, upstream(u));
        touchedHosts.add(u.name());
      }
    }

    Set<String> touchedServices = new HashSet<>(changes.services.keySet());
    for (Map.Entry<String, Service> e : changes.services.entrySet()) {
      Service old = e.getValue() == null ? services.remove(e.getKey()) : services.put(e.getKey(), e.getValue());
      if (old != null) {
        servicesByHost.getOrDefault(old.host(), new HashSet<>()).remove(old.id());
      }
      if (e.getValue() != null) {
        servicesByHost.computeIfAbsent(e.getValue().host(), k -> new HashSet<>()).add(e.getKey());
      }
    }
    for (String host : touchedHosts) {
      touchedServices.addAll(servicesByHost.getOrDefault(host, Set.of()));
    }
    Map<String, Backend> byName = upstreamsByName();
    for (String id : touchedServices) {
      Service s = services.get(id);
      if (s == null) {
        serviceTargets.remove(id);
      } else {
        serviceTargets.put(id, service(s, byName.get(s.host())));
      }
    }

    boolean backendsChanged = !touchedUpstreams.isEmpty() || !touchedServices.isEmpty();
    if (changes.pluginsChanged() || (!plugins.isEmpty() && !changes.routes.isEmpty())) {
      applyTo(plugins, changes.plugins);
      applyTo(consumers, changes.consumers);
      applyTo(keys, changes.keys);
      applyTo(basicAuths, changes.basicAuths);
      applyTo(acls, changes.acls);
      applyTo(vaults, changes.vaults);
      chains = pluginChains.compile(routes.values(), plugins.values(),
          Credentials.of(consumers.values(), keys.values(), basicAuths.values(), acls.values()), vaults.values());
    }
    part = new KongPart(
        version, router, streams,
        touchedServices.isEmpty() ? part.services() : Map.copyOf(serviceTargets),
        backendsChanged ? byName : part.upstreams(),
        backendsChanged ? upstreamIds() : part.upstreamIds(),
        backendsChanged ? allBackends() : part.backends(),
        chains);
    return part;
  }

  private static <T> void applyTo(Map<String, T> current, Map<String, T> changes) {
    changes.forEach((id, now) -> {
      if (now == null) {
        current.remove(id);
      } else {
        current.put(id, now);
      }
    });
  }

  private Map<String, Backend> upstreamsByName() {
    Map<String, Backend> out = new TreeMap<>();
    for (Backend b : upstreamBackends.values()) {
      out.put(b.name(), b);
    }
    return out;
  }

  private Map<String, String> upstreamIds() {
    Map<String, String> out = new HashMap<>();
    for (Map.Entry<String, Backend> e : upstreamBackends.entrySet()) {
      out.put(e.getKey(), e.getValue().name());
    }
    return out;
  }

  private List<Backend> allBackends() {
    Set<Backend> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    out.addAll(upstreamBackends.values());
    for (KongTarget t : serviceTargets.values()) {
      if (t.http() != null) {
        out.add(t.http().destination().backend());
      }
      if (t.stream() != null) {
        out.add(t.stream().backend());
      }
    }
    return List.copyOf(out);
  }

  /** An upstream's balancer over its targets (sorted by address, for a stable pick order). */
  private Backend upstream(Upstream u) {
    List<Target> ts = new ArrayList<>();
    for (String id : targetsOf.getOrDefault(u.id(), Set.of())) {
      ts.add(targets.get(id));
    }
    ts.sort(Comparator.comparing(Target::target));
    List<UpstreamTarget> compiled = new ArrayList<>();
    boolean checked = u.healthchecks().enabled();
    for (Target t : ts) {
      String hostHeader = u.hostHeader() != null ? u.hostHeader() : UpstreamTarget.hostHeader(t.host(), t.port(), false);
      int index = compiled.size();
      compiled.add(new UpstreamTarget(
          t.target(), t.host(), t.port(), t.weight(), index, states.get(u.id(), t.target()), hostHeader, checked,
          UpstreamTarget.ServerOptions.kong(t.target(), index)));
    }
    Backend.Spec spec =
        new Backend.Spec(u.name(), Dialect.KONG, u.algorithm(), HealthRules.of(u.healthchecks()), 0, false);
    return new Backend(spec, compiled, Balancers.kong(u, compiled), states.backend("kong/" + u.id()), events);
  }

  /**
   * A service: its upstream's backend when {@code service.host} names one, else a backend of its
   * one host (a name resolved per connection for HTTP; resolved here, off the event loops, for
   * tcp, where a name that does not resolve leaves the service without a stream destination).
   */
  private KongTarget service(Service s, Backend upstream) {
    boolean https = s.protocol() == Protocol.HTTPS;
    Backend b = upstream;
    Backend streamBackend = upstream;
    if (b == null) {
      String target = bracket(s.host()) + ":" + s.port();
      String hostHeader = UpstreamTarget.hostHeader(s.host(), s.port(), https);
      if (stream(s)) {
        String ip = resolve(s.host());
        streamBackend = ip == null ? null : plainHost(s, ip + ":" + s.port(), ip, hostHeader);
        b = streamBackend;
      } else {
        b = plainHost(s, target, s.host(), hostHeader);
      }
    }
    RetryPolicy retry = RetryPolicy.kong(s.retries());
    Timeouts timeouts = new Timeouts(s.connectTimeout(), s.readTimeout(), s.writeTimeout(), 0, 0);
    HttpTarget http = null;
    HttpTarget preserving = null;
    if (b != null && !stream(s)) {
      // Traffic meant for TLS never leaves in cleartext: an https service always gets a context.
      UpstreamTls upstreamTls = https ? tls.kong(s.tlsVerify(), s.tlsVerifyDepth()) : null;
      http = new HttpTarget(new Destination(b, retry, timeouts, false, upstreamTls), serviceSteps, null);
      preserving = new HttpTarget(new Destination(b, retry, timeouts, true, upstreamTls), serviceSteps, null);
    }
    Destination stream = null;
    if (streamBackend != null && stream(s)) {
      // A tls service: TLS to the upstream, the service's host as the server name.
      UpstreamTls streamTls = s.protocol() == Protocol.TLS
          ? tls.kong(s.tlsVerify(), s.tlsVerifyDepth()).withSni(UpstreamTls.Sni.FIXED, s.host())
          : null;
      // Kong's stream proxy_timeout: inactivity in either direction ends the session.
      stream = new Destination(streamBackend, RetryPolicy.kongStream(s.retries()),
          new Timeouts(s.connectTimeout(), s.readTimeout(), s.writeTimeout(), s.readTimeout(), 0), false, streamTls);
    }
    return new KongTarget(s, http, preserving, stream);
  }

  /** A service of the stream subsystem (tcp, or tls to the upstream). */
  private static boolean stream(Service s) {
    return s.protocol() == Protocol.TCP || s.protocol() == Protocol.TLS;
  }

  private Backend plainHost(Service s, String target, String host, String hostHeader) {
    UpstreamTarget t = new UpstreamTarget(
        target, host, s.port(), 1, 0, states.get("service/" + s.id(), target), hostHeader, false,
        UpstreamTarget.ServerOptions.kong(target, 0));
    Backend.Spec spec =
        new Backend.Spec(s.name() != null ? s.name() : s.id(), Dialect.KONG, Algorithm.NONE, HealthRules.OFF, 0, false);
    return new Backend(spec, List.of(t), Balancers.single(t), states.backend("service/" + s.id()), events);
  }

  private static String bracket(String host) {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
