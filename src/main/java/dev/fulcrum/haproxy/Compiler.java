package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Bind;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.runtimeapi.RuntimeModel.FrontendView;
import dev.fulcrum.runtimeapi.RuntimeModel.ProxyView;
import dev.fulcrum.runtimeapi.RuntimeModel.ServerView;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.haproxy.Chash;
import dev.fulcrum.upstream.balance.haproxy.First;
import dev.fulcrum.upstream.balance.haproxy.Fwlc;
import dev.fulcrum.upstream.balance.haproxy.Fwrr;
import dev.fulcrum.upstream.balance.haproxy.HashKey;
import dev.fulcrum.upstream.balance.haproxy.LbMap;
import dev.fulcrum.upstream.health.CheckSpec;
import dev.fulcrum.upstream.health.Probe;
import dev.fulcrum.upstream.health.ServerChecks;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a parsed haproxy.cfg into running objects: backends with their servers, balancers, retry
 * policies and checks; frontends with their rules; one {@link BoundFrontend} per bind address.
 * Server names are resolved here, off the event loops, as HAProxy does at start-up. Long-lived
 * state (health, counters, connection counts) comes from {@link HaState}, so a reload keeps it.
 */
final class Compiler {
  /** The running form of one configuration. */
  record Compiled(
      HaproxyConfig config,
      List<ProxyView> views,
      Map<String, HaFrontend> frontends,
      Map<String, HaBackend> backends,
      Map<String, BoundFrontend> binds,
      List<ServerChecks.Checked> checks,
      List<Runnable> commits) {
    /** Applies what this configuration changes in long-lived state; once it is going live. */
    void commit() {
      commits.forEach(Runnable::run);
    }
  }

  private final HaState state;
  private final ServerChecks.Listener checkListener;

  Compiler(HaState state, ServerChecks.Listener checkListener) {
    this.state = state;
    this.checkListener = checkListener;
  }

  /** Builds everything without touching live state; {@link Compiled#commit} does that. */
  Compiled compile(HaproxyConfig config) {
    List<Runnable> commits = new ArrayList<>();
    int globalMax = globalMaxconn(config);
    commits.add(() -> state.global.setMax(globalMax));
    Map<String, HaBackend> backends = new LinkedHashMap<>();
    List<ServerChecks.Checked> checks = new ArrayList<>();
    Map<String, Integer> frontendMaxconnByBackend = fullconnShares(config);
    Map<String, Server> applied = new LinkedHashMap<>();
    for (Proxy p : config.proxies()) {
      if (p.isBackend()) {
        HaBackend b = backend(p, frontendMaxconnByBackend.getOrDefault(p.name(), 0), applied, commits);
        backends.put(p.name(), b);
        checks.addAll(b.checks);
      }
    }
    commits.add(() -> state.appliedServers = applied);
    Map<String, HaFrontend> frontends = new LinkedHashMap<>();
    Map<String, BoundFrontend> binds = new LinkedHashMap<>();
    List<ProxyView> views = new ArrayList<>();
    for (Proxy p : config.proxies()) {
      HaFrontend fe = null;
      if (p.isFrontend()) {
        fe = frontend(p, config, backends, commits);
        frontends.put(p.name(), fe);
        for (Bind b : p.binds()) {
          // Port 0 (any free port) is a new listener each time it appears.
          String key = key(b.host(), b.port()) + (b.port() == 0 ? "@" + p.name() + "#" + binds.size() : "");
          if (binds.containsKey(key)) {
            throw new CfgException(p.where + ": address " + key + " is bound twice (also by '"
                + binds.get(key).frontend.name() + "')");
          }
          ConnectionLimit limit = b.maxconn() > 0 ? new ConnectionLimit(b.maxconn(), fe.limit) : fe.limit;
          binds.put(key, new BoundFrontend(fe, b, limit));
        }
      }
      HaBackend be = p.isBackend() ? backends.get(p.name()) : null;
      views.add(
          new ProxyView(
              p.name(), p.id(), p.idForced, p.mode,
              fe == null ? null : new FrontendView(fe.counters, fe.limit, false),
              be == null ? null : be.view));
    }
    return new Compiled(config, List.copyOf(views), frontends, backends, binds, checks, commits);
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
      Set<String> used = new java.util.HashSet<>();
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

  private HaBackend backend(Proxy p, int frontendMaxconn, Map<String, Server> applied, List<Runnable> commits) {
    BackendState bs = state.backends.computeIfAbsent(p.name(), k -> new BackendState());
    List<UpstreamTarget> targets = new ArrayList<>();
    List<ServerView> views = new ArrayList<>();
    List<ServerChecks.Checked> checks = new ArrayList<>();
    for (int i = 0; i < p.servers().size(); i++) {
      Server s = p.servers().get(i);
      InetAddress ip = resolve(s.host(), s.where);
      String addr = ip.getHostAddress();
      TargetState ts = state.servers.server(p.name(), s.name(), addr + ":" + s.port());
      applied.put(ts.key(), s);
      Server before = state.appliedServers.get(ts.key());
      commits.add(() -> applyConfig(ts, s, before));
      UpstreamTarget t =
          new UpstreamTarget(
              "haproxy/" + p.name(), addr + ":" + s.port(), addr, s.port(), s.weight(), i, ts,
              UpstreamTarget.hostHeader(addr, s.port(), false), true,
              new UpstreamTarget.ServerOptions(
                  s.name(), s.id(), s.backup, s.maxconn, s.maxqueue, s.sendProxy, s.shutdownSessionsOnDown,
                  s.slowstartMillis));
      targets.add(t);
      views.add(new ServerView(t, s.check(), s.rise(), s.fall(), s.idForced, s.checkPort, s.checkAddr));
      if (s.check()) {
        checks.add(new ServerChecks.Checked(t, checkSpec(p, s, ip), checkListener));
      }
    }
    String base = p.balance.algorithm();
    boolean hash = p.balance.hashes();
    boolean staticWeights = base.equals("static-rr") || (hash && !p.hashConsistent);
    boolean rrKind = base.equals("roundrobin") || base.equals("static-rr") || base.equals("random");
    Balancer balancer = balancer(p, targets);
    int fullconn = p.fullconn > 0 ? p.fullconn : frontendMaxconn > 0 ? (frontendMaxconn + 9) / 10 : 1;
    Backend backend =
        new Backend(p.name(), base, targets, balancer, retryPolicy(p, rrKind),
            new Backend.Timeouts(p.timeoutConnect, p.timeoutServer, p.timeoutTunnel, p.queueTimeout()), bs);
    return new HaBackend(p, backend, List.copyOf(views), List.copyOf(checks), fullconn, staticWeights);
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

  private static Balancer balancer(Proxy p, List<UpstreamTarget> targets) {
    boolean all = p.allBackups;
    switch (p.balance.algorithm()) {
      case "roundrobin":
        return new Fwrr(targets, all);
      case "static-rr":
        return new LbMap(targets, all, null);
      case "leastconn":
        return new Fwlc(targets, all);
      case "first":
        return new First(targets, all);
      case "random":
        return new Chash(targets, all, null, p.balance.draws());
      default:
        HashKey key = hashKey(p);
        return p.hashConsistent ? new Chash(targets, all, key, 0) : new LbMap(targets, all, key);
    }
  }

  /** What {@code balance source|uri|url_param|hdr(name)} hashes, with which function. */
  private static HashKey hashKey(Proxy p) {
    HashKey.Function function = HashKey.Function.valueOf(p.hashFunction.toUpperCase(java.util.Locale.ROOT));
    // Consistent hashing defaults to sdbm with the avalanche; map-based to plain sdbm.
    boolean avalanche = p.hashAvalanche != null ? p.hashAvalanche : p.hashConsistent;
    HaproxyConfig.Balance b = p.balance;
    switch (b.algorithm()) {
      case "source":
        return new HashKey(HashKey.Source.SOURCE, null, false, 0, 0, false, function, avalanche);
      case "uri":
        return new HashKey(HashKey.Source.URI, null, b.uriWhole(), b.uriLen(), b.uriDepth(), false, function, avalanche);
      case "url_param":
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
  private static CheckSpec checkSpec(Proxy p, Server s, InetAddress ip) {
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
    Probe.Spec probe =
        new Probe.Spec(p.httpCheck ? "http" : "tcp", p.checkMethod, p.checkUri, version, host, headers, timeout, null, false,
            // HAProxy: checks on the server's own address speak the PROXY protocol like its traffic.
            s.checkPort == 0 && s.checkAddr == null ? s.sendProxy : 0);
    return new CheckSpec(
        s.inter, s.fastinter, s.downinter, s.rise(), s.fall(), new InetSocketAddress(addr, port), probe,
        p.expectStatus, p.expectNegated, p.disableOn404);
  }

  // ----------------------------------------------------------------- frontends

  private HaFrontend frontend(
      Proxy p, HaproxyConfig config, Map<String, HaBackend> backends, List<Runnable> commits) {
    List<HaFrontend.Rule> rules = new ArrayList<>();
    for (HaproxyConfig.UseBackend u : p.useBackends) {
      try {
        rules.add(new HaFrontend.Rule(Acl.compile(u.condition(), p.acls), backends.get(u.backend())));
      } catch (CfgException | IllegalArgumentException e) {
        throw new CfgException(u.where() + ": " + e.getMessage());
      }
    }
    HaBackend def =
        p.defaultBackend != null ? backends.get(p.defaultBackend) : p.isBackend() ? backends.get(p.name()) : null;
    Counters counters = state.frontendCounters.computeIfAbsent(p.name(), k -> new Counters());
    int maxconn = p.maxconn > 0 ? p.maxconn : globalMaxconn(config);
    ConnectionLimit limit = state.frontendLimits.computeIfAbsent(p.name(), k -> new ConnectionLimit(maxconn, state.global));
    commits.add(() -> limit.setMax(maxconn));
    return new HaFrontend(p, List.copyOf(rules), def, counters, limit);
  }
}
