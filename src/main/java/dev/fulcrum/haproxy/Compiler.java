package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Bind;
import dev.fulcrum.haproxy.HaproxyConfig.HttpRule;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.Dialect;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalService;
import dev.fulcrum.plugin.rules.DenyRule;
import dev.fulcrum.plugin.rules.ForwardedFor;
import dev.fulcrum.plugin.rules.HeaderRule;
import dev.fulcrum.plugin.rules.Template;
import dev.fulcrum.router.RequestFacts;
import dev.fulcrum.runtime.Binding;
import dev.fulcrum.runtime.Frontend;
import dev.fulcrum.runtime.HaproxyPart;
import dev.fulcrum.runtime.HttpTarget;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.CheckSpec;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.HealthRules;
import dev.fulcrum.upstream.ProbeSpec;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.Timeouts;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancers;
import dev.fulcrum.upstream.balance.haproxy.HashKey;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Compiles a parsed haproxy.cfg into the node's runtime: backends (servers, balancers, checks,
 * retry policies and timeouts as destinations), frontends (switching rules, http-request and
 * http-response rules as steps, stats pages), and one {@link Binding} per bind address; the same
 * objects the Kong entities compile to. Server names are resolved here, off the event loops, as
 * HAProxy does at start-up. Long-lived state (health, counters, connection counts) comes from the
 * node's registry and {@link HaState}, so a reload keeps it.
 */
final class Compiler {
  /** The runtime form of one configuration, and what it changes in long-lived state once live. */
  record Compiled(HaproxyConfig config, HaproxyPart part, List<Runnable> commits) {
    void commit() {
      commits.forEach(Runnable::run);
    }
  }

  /** A backend section compiled, with the proxy it came from. */
  private record Compiledbackend(Proxy proxy, Backend backend, Destination destination) {}

  private final HaState state;
  private final TargetStates states;
  private final ServerEvents events;
  private final StatsPages statsPages;
  private final TlsContexts tls;
  /** The global section of the configuration being compiled. */
  private HaproxyConfig.Global global;

  Compiler(HaState state, TargetStates states, ServerEvents events, StatsPages statsPages, TlsContexts tls) {
    this.state = state;
    this.states = states;
    this.events = events;
    this.statsPages = statsPages;
    this.tls = tls;
  }

  /** Builds everything without touching live state; {@link Compiled#commit} does that. */
  Compiled compile(HaproxyConfig config) {
    global = config.global();
    List<Runnable> commits = new ArrayList<>();
    int globalMax = globalMaxconn(config);
    commits.add(() -> state.global.setMax(globalMax));
    Map<String, Integer> frontendMaxconnByBackend = fullconnShares(config);
    Map<String, Server> applied = new LinkedHashMap<>();
    Map<String, Compiledbackend> backends = new LinkedHashMap<>();
    for (Proxy p : config.proxies()) {
      if (p.isBackend()) {
        backends.put(p.name(), backend(p, frontendMaxconnByBackend.getOrDefault(p.name(), 0), applied, commits));
      }
    }
    commits.add(() -> state.appliedServers = applied);
    Map<String, Binding> binds = new LinkedHashMap<>();
    List<dev.fulcrum.runtime.Proxy> proxies = new ArrayList<>();
    for (Proxy p : config.proxies()) {
      Frontend fe = null;
      if (p.isFrontend()) {
        fe = frontend(p, config, backends, commits);
        for (Bind b : p.binds()) {
          // Port 0 (any free port) is a new listener each time it appears.
          String key = key(b.host(), b.port()) + (b.port() == 0 ? "@" + p.name() + "#" + binds.size() : "");
          if (binds.containsKey(key)) {
            throw new CfgException(p.where + ": address " + key + " is bound twice (also by '"
                + binds.get(key).frontend().name() + "')");
          }
          ConnectionLimit limit = b.maxconn() > 0 ? new ConnectionLimit(b.maxconn(), fe.limit()) : fe.limit();
          binds.put(key, new Binding(fe, b.host(), b.port(), b.acceptProxy(), limit));
        }
      }
      Compiledbackend be = p.isBackend() ? backends.get(p.name()) : null;
      proxies.add(new dev.fulcrum.runtime.Proxy(p.name(), p.id(), p.idForced, p.http(), fe,
          be == null ? null : be.backend()));
    }
    List<Backend> all = new ArrayList<>();
    backends.values().forEach(b -> all.add(b.backend()));
    HaproxyPart part = new HaproxyPart(List.copyOf(proxies), binds, List.copyOf(all), state.global, config.global().node);
    return new Compiled(config, part, commits);
  }

  static String key(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** HAProxy derives maxconn from the file descriptor limit when the global section has none. */
  static int globalMaxconn(HaproxyConfig config) {
    if (config.global().maxconn() > 0) {
      return config.global().maxconn();
    }
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
      long fds = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
      return (int) Math.max(100, Math.min(Integer.MAX_VALUE, (fds - 64) / 2));
    }
    return 4096;
  }

  /** Sum of the maxconn of the frontends using each backend (fullconn defaults to a tenth of it). */
  private Map<String, Integer> fullconnShares(HaproxyConfig config) {
    Map<String, Integer> sums = new LinkedHashMap<>();
    int global = globalMaxconn(config);
    for (Proxy p : config.proxies()) {
      if (!p.isFrontend()) {
        continue;
      }
      int maxconn = p.maxconn > 0 ? p.maxconn : global;
      Set<String> used = new HashSet<>();
      if (p.defaultBackend != null) {
        used.add(p.defaultBackend);
      } else if (p.isBackend()) {
        used.add(p.name());
      }
      p.useBackends.forEach(u -> used.add(u.backend()));
      for (String b : used) {
        sums.merge(b, maxconn, Integer::sum);
      }
    }
    return sums;
  }

  // ------------------------------------------------------------------ backends

  private Compiledbackend backend(Proxy p, int frontendMaxconn, Map<String, Server> applied, List<Runnable> commits) {
    List<UpstreamTarget> targets = new ArrayList<>();
    for (int i = 0; i < p.servers().size(); i++) {
      Server s = p.servers().get(i);
      InetAddress ip = resolve(s.host(), s.where);
      String addr = ip.getHostAddress();
      TargetState ts = states.server(p.name(), s.name(), addr + ":" + s.port());
      applied.put(ts.key(), s);
      Server before = state.appliedServers.get(ts.key());
      commits.add(() -> applyConfig(ts, s, before));
      CheckSpec check = s.check() ? checkSpec(p, s, ip) : null;
      targets.add(new UpstreamTarget(
          addr + ":" + s.port(), addr, s.port(), s.weight(), i, ts, UpstreamTarget.hostHeader(addr, s.port(), false),
          true,
          new UpstreamTarget.ServerOptions(
              s.name(), s.id(), s.idForced, s.backup, s.maxconn, s.maxqueue, s.sendProxy, s.shutdownSessionsOnDown,
              s.slowstartMillis, s.rise(), s.fall(), check, ServerTls.traffic(s, global, tls))));
    }
    Algorithm algorithm = p.balance.algorithm();
    boolean hash = algorithm.hashes();
    boolean staticWeights = algorithm == Algorithm.STATIC_RR || (hash && !p.hashConsistent);
    boolean rrKind = algorithm == Algorithm.ROUNDROBIN || algorithm == Algorithm.STATIC_RR || algorithm == Algorithm.RANDOM;
    int fullconn = p.fullconn > 0 ? p.fullconn : frontendMaxconn > 0 ? (frontendMaxconn + 9) / 10 : 1;
    Backend backend = new Backend(
        new Backend.Spec(p.name(), Dialect.HAPROXY, algorithm, HealthRules.OFF, fullconn, staticWeights),
        targets,
        Balancers.haproxy(algorithm, targets, p.allBackups, hash ? hashKey(p) : null, p.hashConsistent,
            p.balance.draws()),
        states.backend("haproxy/" + p.name()), events);
    Destination d = new Destination(backend, retryPolicy(p, rrKind),
        new Timeouts(p.timeoutConnect, p.timeoutServer, p.timeoutServer, p.timeoutTunnel, p.queueTimeout()), true, null);
    return new Compiledbackend(p, backend, d);
  }

  /**
   * What the configuration says about a server's administrative state, applied when it is new or
   * when the configuration changed it; otherwise what the runtime API did to it stays.
   */
  private static void applyConfig(TargetState ts, Server now, Server before) {
    if (before == null || before.disabled != now.disabled) {
      ts.setFlag(TargetState.MAINT, now.disabled);
      ts.setFlag(TargetState.CONFIG_MAINT, now.disabled);
    }
    if (before != null && before.weight() != now.weight()) {
      ts.setWeightOverride(-1);
    }
  }

  private static InetAddress resolve(String host, String where) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CfgException(where + ": could not resolve address '" + host + "'");
    }
  }

  /** What {@code balance source|uri|url_param|hdr(name)} hashes, with which function. */
  private static HashKey hashKey(Proxy p) {
    HashKey.Function function = HashKey.Function.valueOf(p.hashFunction.toUpperCase(Locale.ROOT));
    // Consistent hashing defaults to sdbm with the avalanche; map-based to plain sdbm.
    boolean avalanche = p.hashAvalanche != null ? p.hashAvalanche : p.hashConsistent;
    HaproxyConfig.Balance b = p.balance;
    switch (b.algorithm()) {
      case SOURCE:
        return new HashKey(HashKey.Source.SOURCE, null, false, 0, 0, false, function, avalanche);
      case URI:
        return new HashKey(HashKey.Source.URI, null, b.uriWhole(), b.uriLen(), b.uriDepth(), false, function, avalanche);
      case URL_PARAM:
        return new HashKey(HashKey.Source.URL_PARAM, b.name(), false, 0, 0, false, function, avalanche);
      default:
        return new HashKey(HashKey.Source.HDR, b.name(), false, 0, 0, b.domainOnly(), function, avalanche);
    }
  }

  /** retries, option redispatch [interval] and retry-on as a policy. */
  private static RetryPolicy retryPolicy(Proxy p, boolean rrKind) {
    List<Integer> statuses = new ArrayList<>();
    for (String r : p.retryOn) {
      if (r.chars().allMatch(Character::isDigit)) {
        statuses.add(Integer.parseInt(r));
      }
    }
    long turnAround = p.timeoutConnect > 0 ? Math.min(p.timeoutConnect, 1000) : 1000;
    return new RetryPolicy(
        p.retries, p.redispatch ? p.redispatchInterval : 0, rrKind, p.retryOn.contains("conn-failure"),
        p.retryOn.contains("empty-response"), p.retryOn.contains("junk-response"),
        p.retryOn.contains("response-timeout"), RetryPolicy.statusTable(statuses), turnAround, false);
  }

  /** A server's check as HAProxy runs it: its address and port overrides, probe and timeout. */
  private CheckSpec checkSpec(Proxy p, Server s, InetAddress ip) {
    InetAddress addr = s.checkAddr != null ? resolve(s.checkAddr, s.where) : ip;
    int port = s.checkPort > 0 ? s.checkPort : s.port();
    long timeout =
        p.timeoutCheck > 0 ? Math.min(p.timeoutConnect > 0 ? p.timeoutConnect : s.inter, s.inter) + p.timeoutCheck : s.inter;
    Map<String, List<String>> headers = new LinkedHashMap<>();
    String host = null;
    for (String[] h : p.checkHeaders) {
      if (h[0].equalsIgnoreCase("host")) {
        host = h[1];
      } else {
        headers.computeIfAbsent(h[0], k -> new ArrayList<>()).add(h[1]);
      }
    }
    HttpVersion version = p.checkVersion.equalsIgnoreCase("HTTP/1.1") ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
    ProbeSpec probe =
        new ProbeSpec(p.httpCheck ? "http" : "tcp", p.checkMethod, p.checkUri, version, host, headers, timeout, s.checkSni, ServerTls.check(s, global, tls),
            // HAProxy: checks on the server's own address speak the PROXY protocol like its traffic.
            s.checkPort == 0 && s.checkAddr == null ? s.sendProxy : 0);
    return new CheckSpec(
        s.inter, s.fastinter, s.downinter, s.rise(), s.fall(), new InetSocketAddress(addr, port), probe,
        p.expectStatus, p.expectNegated, p.disableOn404, s.checkPort, s.checkAddr);
  }

  // ----------------------------------------------------------------- frontends

  private Frontend frontend(Proxy p, HaproxyConfig config, Map<String, Compiledbackend> backends, List<Runnable> commits) {
    List<Frontend.Rule> rules = new ArrayList<>();
    for (HaproxyConfig.UseBackend u : p.useBackends) {
      rules.add(rule(p, condition(p, u.condition(), u.where()), backends.get(u.backend())));
    }
    Compiledbackend def =
        p.defaultBackend != null ? backends.get(p.defaultBackend) : p.isBackend() ? backends.get(p.name()) : null;
    Counters counters = state.frontendCounters.computeIfAbsent(p.name(), k -> new Counters());
    int maxconn = p.maxconn > 0 ? p.maxconn : globalMaxconn(config);
    ConnectionLimit limit = state.frontendLimits.computeIfAbsent(p.name(), k -> new ConnectionLimit(maxconn, state.global));
    commits.add(() -> limit.setMax(maxconn));
    long idle = p.timeoutHttpKeepAlive > 0 ? p.timeoutHttpKeepAlive
        : p.timeoutHttpRequest > 0 ? p.timeoutHttpRequest : p.timeoutClient;
    Frontend.Spec spec = new Frontend.Spec(p.name(), p.id(), p.http(), p.http() ? steps(p) : List.of(),
        stats(p), p.timeoutClient, idle, p.timeoutHttpRequest > 0 ? p.timeoutHttpRequest : p.timeoutClient);
    return new Frontend(spec, rules, def == null ? null : rule(p, f -> true, def), counters, limit);
  }

  /** Where one switching rule of frontend {@code fe} sends traffic. */
  private Frontend.Rule rule(Proxy fe, Predicate<RequestFacts> when, Compiledbackend be) {
    if (!fe.http()) {
      return new Frontend.Rule(when, null, be.destination());
    }
    Proxy b = be.proxy();
    List<HttpStep> steps = new ArrayList<>();
    if (b != fe) {
      // A listen section's own rules run once, as its frontend's.
      steps.addAll(steps(b));
    }
    if (fe.forwardFor || b.forwardFor) {
      // Added after the rules, once, as HAProxy does (fe or be option).
      steps.add(ForwardedFor.INSTANCE);
    }
    LocalService stats = b != fe ? stats(b) : null;
    return new Frontend.Rule(when, new HttpTarget(be.destination(), steps, stats), null);
  }

  /** A proxy's http-request and http-response rules, in file order. */
  private static List<HttpStep> steps(Proxy p) {
    List<HttpStep> out = new ArrayList<>();
    for (HttpRule r : p.httpRequestRules) {
      out.add(step(p, r, false));
    }
    for (HttpRule r : p.httpResponseRules) {
      out.add(step(p, r, true));
    }
    return out;
  }

  private static HttpStep step(Proxy p, HttpRule r, boolean response) {
    Predicate<RequestFacts> when = r.condition() == null ? null : condition(p, r.condition(), r.where());
    switch (r.action()) {
      case "deny":
        return new DenyRule(r.status(), when);
      case "set-header":
        return new HeaderRule(response, HeaderRule.Action.SET, r.name(), Template.parse(r.value()), when);
      case "add-header":
        return new HeaderRule(response, HeaderRule.Action.ADD, r.name(), Template.parse(r.value()), when);
      default:
        return new HeaderRule(response, HeaderRule.Action.DEL, r.name(), null, when);
    }
  }

  private static Predicate<RequestFacts> condition(Proxy p, HaproxyConfig.Condition c, String where) {
    try {
      return Acl.compile(c, p.acls);
    } catch (CfgException | IllegalArgumentException e) {
      throw new CfgException(where + ": " + e.getMessage());
    }
  }

  private LocalService stats(Proxy p) {
    return p.statsEnabled && p.statsUri != null ? statsPages.create(p.statsUri, p.statsRefresh, p.statsShowLegends) : null;
  }
}
