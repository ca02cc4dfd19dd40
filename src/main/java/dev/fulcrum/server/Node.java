package dev.fulcrum.server;

import dev.fulcrum.admin.AdminApi;
import dev.fulcrum.admin.AdminServer;
import dev.fulcrum.cluster.ChangeFeed;
import dev.fulcrum.cluster.NodeCache;
import dev.fulcrum.conf.ListenAddress;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.model.Ids;
import dev.fulcrum.haproxy.CfgException;
import dev.fulcrum.haproxy.HaproxyConfig;
import dev.fulcrum.haproxy.HaproxyRuntime;
import dev.fulcrum.proxy.http.HttpProxy;
import dev.fulcrum.proxy.tcp.TcpProxy;
import dev.fulcrum.runtime.ConfigSnapshot;
import dev.fulcrum.runtime.KongCompiler;
import dev.fulcrum.runtime.KongStreams;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.runtimeapi.CliServer;
import dev.fulcrum.runtimeapi.RuntimeModel;
import dev.fulcrum.runtimeapi.SnapshotModel;
import dev.fulcrum.runtimeapi.StatsPage;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.DaoException;
import dev.fulcrum.store.declarative.DeclarativeConfig;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.declarative.PersistedConfig;
import dev.fulcrum.plugin.bundled.Bundled;
import dev.fulcrum.store.jdbc.JdbcCounts;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.health.HealthChecker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.fulcrum.conf.Version;
import dev.fulcrum.net.AcceptGate;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.net.Listeners;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.net.Transport;

/**
 * A running Fulcrum node: the Kong side (store, change feed, proxy and Admin API listeners) and,
 * with {@code --haproxy-config}, a haproxy.cfg's frontends, backends and stats sockets; and the
 * orderly stop that lets requests and sessions in flight finish.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  public static final String PID_FILE = "fulcrum.pid";
  static final String NODE_ID_FILE = "node.id";

  private final NodeSettings settings;
  private final Path haproxyFile;
  /** Where the haproxy.cfg's ${VARIABLES} come from. */
  private final Map<String, String> env;
  /** Whether the Kong model runs: always without a haproxy.cfg, else when a Kong listener is set. */
  private final boolean kong;
  private final Store store;
  /** One registry of server and backend state, one snapshot and one checker for both dialects. */
  private final TargetStates targetStates = new TargetStates();
  private final SnapshotHolder snapshots = new SnapshotHolder();
  /** The TLS contexts of connections to upstreams (https services, ssl servers, their checks). */
  private final TlsContexts tls;
  private final HealthChecker checker;
  private final ChangeFeed feed;
  private final NodeCache cache;
  /** The plugins' state that outlives configurations (rate-limiting counts, proxy-cache entries). */
  private final Bundled.NodeState plugins;
  private final HttpProxy proxy;
  private final TcpProxy tcp = new TcpProxy();
  private final int threads;
  private final RuntimeModel runtimeModel;
  private HaproxyRuntime haproxy;
  private final EventLoopGroup workers;
  private final EventLoopGroup adminLoop;
  private final ExecutorService adminWorker;
  /**
   * The cap on client connections of the proxy and stream listeners (nginx_events_worker_connections):
   * at the cap they stop accepting and clients wait in the backlog, so the Admin API and the
   * connections in hand keep their memory and their CPU.
   */
  private final ConnectionLimit clientLimit;
  /** Every listening TCP socket of the node, shared with a new node on restart. */
  private final Listeners listeners;
  private final List<Channel> proxyListeners = new ArrayList<>();
  private final List<Channel> adminListeners = new ArrayList<>();
  private final List<Channel> streamListeners = new ArrayList<>();
  private final List<KongStreams> streamFrontends = new ArrayList<>();
  private volatile boolean stopped;

  private Node(NodeSettings settings, Path haproxyFile, Map<String, String> env, boolean joining) {
    this.settings = settings;
    this.listeners = new Listeners(joining);
    this.clientLimit = new ConnectionLimit(settings.maxConnections(), null);
    this.tls = tlsContexts(settings);
    this.checker = new HealthChecker(tls);
    this.haproxyFile = haproxyFile;
    this.env = env;
    this.kong =
        haproxyFile == null || settings.isSet("proxy_listen") || settings.isSet("admin_listen")
            || settings.isSet("stream_listen");
    String nodeId = nodeId(settings.prefix());
    this.store = kong ? openStore(settings, nodeId) : null;
    this.proxy = new HttpProxy(snapshots, settings);
    this.cache = new NodeCache(settings.dbCacheTtl(), settings.dbCacheNegTtl(), settings.dbResurrectTtl());
    // rate-limiting's cluster policy counts in the database the nodes share (none when DB-less).
    this.plugins = Bundled.NodeState.create(settings.memCacheSize(),
        store instanceof JdbcStore jdbc && settings.database() != NodeSettings.Database.OFF ? new JdbcCounts(jdbc) : null);
    this.feed = kong
        ? new ChangeFeed(store, new KongCompiler(targetStates, checker, proxy.kongServiceSteps(), tls, plugins, env), snapshots,
            settings.database() == NodeSettings.Database.POSTGRES ? settings.prefix() : null, cache)
        : null;
    this.threads = settings.workerThreads() > 0 ? settings.workerThreads() : Runtime.getRuntime().availableProcessors();
    this.runtimeModel = new SnapshotModel(snapshots, threads, () -> haproxy == null ? 0 : haproxy.listenerCount(),
        () -> haproxy != null && haproxy.stopping());
    this.workers = Transport.group(threads, "fulcrum-proxy");
    this.adminLoop = Transport.group(1, "fulcrum-admin");
    this.adminWorker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fulcrum-admin-worker");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts a node; on failure nothing stays open and the exception says why. */
  public static Node start(NodeSettings settings) {
    return start(settings, null);
  }

  /**
   * Starts a node running a haproxy.cfg too (null for none). The Kong listeners then open only
   * when the settings name them explicitly.
   *
   * @throws CfgException when the file cannot run (file, line and reason)
   */
  public static Node start(NodeSettings settings, Path haproxyFile) {
    return start(settings, haproxyFile, System.getenv());
  }

  /** As {@link #start(NodeSettings, Path)}, with the haproxy.cfg's variables from {@code env}. */
  public static Node start(NodeSettings settings, Path haproxyFile, Map<String, String> env) {
    return start(settings, haproxyFile, env, false);
  }

  /**
   * As {@link #start(NodeSettings, Path, Map)}; with {@code joining}, the node opens its ports next
   * to those of the node running in the same prefix and receives no connection until {@link
   * #takeOver}.
   */
  public static Node start(NodeSettings settings, Path haproxyFile, Map<String, String> env, boolean joining) {
    Node node = new Node(settings, haproxyFile, env, joining);
    try {
      node.startAll();
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private static Store openStore(NodeSettings settings, String nodeId) {
    if (settings.database() == NodeSettings.Database.OFF) {
      return dbless(settings, nodeId);
    }
    boolean cached = settings.database() == NodeSettings.Database.POSTGRES && ChangeFeed.hasCachedCopy(settings.prefix());
    JdbcStore store = Stores.open(settings, nodeId, cached);
    try {
      if (settings.database() == NodeSettings.Database.EMBEDDED) {
        // The embedded store needs no set-up: a new node bootstraps its own schema.
        store.migrateUp();
      }
      try {
        Stores.checkSchema(store);
      } catch (dev.fulcrum.store.StoreException e) {
        // Unreachable with a kept copy: the change feed serves the copy and joins later.
        if (!(cached && e.unreachable())) {
          throw Stores.explain(e, settings);
        }
      }
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * database = off: the configuration lives in memory, loaded from {@code declarative_config}
   * when it is set (every error of the file stops the start), else from what {@code POST /config}
   * last gave a node of this prefix, as Kong reloads its LMDB.
   */
  private static Store dbless(NodeSettings settings, String nodeId) {
    EmbeddedStore store = EmbeddedStore.inMemory(nodeId);
    try {
      store.migrateUp();
      String file = settings.get("declarative_config").trim();
      if (!file.isEmpty()) {
        String text;
        try {
          text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new SettingsException("declarative_config: cannot read " + file + ": " + e.getMessage());
        }
        load(store, text, "declarative_config: " + file);
      } else {
        PersistedConfig persisted = new PersistedConfig(settings.prefix());
        String text = persisted.read();
        if (text != null) {
          LOG.info("found the configuration last posted to /config: {}", persisted.file());
          load(store, text, persisted.file() + " (the configuration last posted to /config; remove it to start empty)");
        }
      }
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private static void load(Store store, String text, String source) {
    try {
      new Dao(store).load(DeclarativeConfig.parse(text), true);
    } catch (DaoException e) {
      throw new SettingsException(source + ": " + e.getMessage());
    }
  }

  /**
   * The node's upstream TLS settings, tried once here so that a CA file or client certificate
   * that cannot be used stops the start naming its setting.
   */
  private static TlsContexts tlsContexts(NodeSettings settings) {
    try {
      new TlsContexts(settings.trustedCertificates(), settings.sslVerifyDepth(), null, null).kong(true, null);
    } catch (IllegalArgumentException e) {
      throw new SettingsException("lua_ssl_trusted_certificate: " + e.getMessage());
    }
    if (!settings.clientSsl()) {
      return new TlsContexts(settings.trustedCertificates(), settings.sslVerifyDepth(), null, null);
    }
    TlsContexts contexts = new TlsContexts(settings.trustedCertificates(), settings.sslVerifyDepth(),
        settings.get("client_ssl_cert"), settings.get("client_ssl_cert_key"));
    try {
      contexts.kong(false, null);
    } catch (IllegalArgumentException e) {
      throw new SettingsException("client_ssl_cert: " + e.getMessage());
    }
    return contexts;
  }

  /** The node id survives restarts, like Kong's, so the Admin API reports a stable node_id. */
  private static String nodeId(Path prefix) {
    try {
      Files.createDirectories(prefix);
      Path file = prefix.resolve(NODE_ID_FILE);
      if (Files.exists(file)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (Ids.isUuid(id)) {
          return id;
        }
      }
      String id = Ids.newId();
      Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
      return id;
    } catch (IOException e) {
      throw new SettingsException("prefix: cannot use directory " + prefix + ": " + e.getMessage());
    }
  }

  private void startAll() {
    snapshots.subscribe(new CheckerFeed());
    adminLoop.scheduleAtFixedRate(this::sweepStates, 60, 60, TimeUnit.SECONDS);
    if (kong) {
      feed.listen(ChangeEvent.PROXY_CACHE_PURGE, data -> AdminApi.applyProxyCachePurge(plugins.cache(), data));
      feed.start(settings.dbUpdateFrequency());
      for (ListenAddress a : settings.proxyListen()) {
        proxyListeners.add(bind(a, workers, proxy.clientInitializer(), false, new AcceptGate(clientLimit), "proxy_listen"));
      }
      for (ListenAddress a : settings.streamListen()) {
        KongStreams streams = new KongStreams(snapshots, a.proxyProtocol());
        streamFrontends.add(streams);
        streamListeners.add(
            bind(a, workers, tcp.initializer(() -> streams), true, new AcceptGate(clientLimit), "stream_listen"));
      }
      AdminApi api = new AdminApi(new Dao(store), snapshots, settings, proxy.inFlight(), cache, plugins.cache());
      for (ListenAddress a : settings.adminListen()) {
        adminListeners.add(bind(a, adminLoop, AdminServer.initializer(api, adminWorker, settings.adminMaxBody()), true,
            null, "admin_listen"));
      }
    }
    if (haproxyFile != null) {
      haproxy =
          HaproxyRuntime.start(
              new HaproxyRuntime.Options(
                  haproxyFile, env, workers, listeners, tcp, proxy, snapshots, targetStates, checker, tls,
                  (uri, refresh, legends) -> new StatsPage(uri, refresh, legends, runtimeModel), this::openStatsSocket));
    }
    writePidFile();
    LOG.debug("upstream TLS by {}", TlsContexts.provider());
    LOG.info(
        "fulcrum {} started ({} transport){}{}",
        Version.VERSION, Transport.kind().name().toLowerCase(java.util.Locale.ROOT),
        kong ? ": node " + store.nodeId() + ", proxy " + proxyAddresses() + ", admin " + adminAddresses()
            + (streamListeners.isEmpty() ? "" : ", stream " + streamAddresses()) : "",
        haproxyFile != null ? (kong ? "; " : ": ") + haproxyFile : "");
  }

  /**
   * Re-reads the haproxy.cfg and applies it without dropping connections (SIGHUP, {@code fulcrum
   * reload}).
   *
   * @return null when applied, else why not (the running configuration is unchanged)
   */
  public String reload() {
    if (haproxy == null) {
      return "no haproxy.cfg to reload (start with --haproxy-config FILE)";
    }
    return haproxy.reload();
  }

  /** The haproxy.cfg running in this node, or null. */
  public HaproxyRuntime haproxy() {
    return haproxy;
  }

  /** The runtime API on a haproxy.cfg's {@code stats socket}. */
  private HaproxyRuntime.StatsSockets.Socket openStatsSocket(
      HaproxyConfig.StatsSocket s, long timeoutMillis, int maxconn) {
    InetSocketAddress address = s.unixPath() == null ? new InetSocketAddress(s.host(), s.port()) : null;
    return CliServer.open(adminLoop, listeners, runtimeModel, address, s.unixPath(), s.level(), timeoutMillis, maxconn);
  }

  /**
   * Hands the health checker every backend of a new snapshot, when the backends changed (a route
   * write leaves them as they were).
   */
  private final class CheckerFeed implements java.util.function.Consumer<ConfigSnapshot> {
    private List<Backend> kongBackends;
    private List<Backend> haproxyBackends;

    @Override
    public void accept(ConfigSnapshot s) {
      if (s.kong().backends() != kongBackends || s.haproxy().backends() != haproxyBackends) {
        kongBackends = s.kong().backends();
        haproxyBackends = s.haproxy().backends();
        checker.accept(s.backends());
      }
    }
  }

  /** Forgets the state of targets no configuration has used for a while. */
  private void sweepStates() {
    java.util.Set<String> live = new java.util.HashSet<>();
    for (Backend b : snapshots.current().backends()) {
      for (UpstreamTarget t : b.targets()) {
        live.add(t.state().key());
      }
    }
    targetStates.sweep(live);
  }

  /** @param autoRead false for the proxy, which reads only when it can pass data on */
  /** @param gate admits connections under a limit, or null */
  private Channel bind(
      ListenAddress a, EventLoopGroup group, ChannelInitializer<Channel> init, boolean autoRead, AcceptGate gate,
      String key) {
    try {
      return listeners.bind(group, a.host(), a.port(), a.backlog(), autoRead, gate, init);
    } catch (IllegalStateException e) {
      throw new SettingsException(key + ": " + e.getMessage());
    }
  }

  private void writePidFile() {
    try {
      Files.writeString(
          settings.prefix().resolve(PID_FILE), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("cannot write pid file: {}", e.getMessage());
    }
  }

  public List<InetSocketAddress> proxyAddresses() {
    return addresses(proxyListeners);
  }

  public List<InetSocketAddress> adminAddresses() {
    return addresses(adminListeners);
  }

  public List<InetSocketAddress> streamAddresses() {
    return addresses(streamListeners);
  }

  private static List<InetSocketAddress> addresses(List<Channel> channels) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Channel c : channels) {
      out.add((InetSocketAddress) c.localAddress());
    }
    return out;
  }

  public Store store() {
    return store;
  }

  /** What this node caches from the database. */
  public NodeCache cache() {
    return cache;
  }

  public SnapshotHolder snapshots() {
    return snapshots;
  }

  public TargetStates targetStates() {
    return targetStates;
  }

  public NodeSettings settings() {
    return settings;
  }

  /**
   * Ends a restart: new connections come to this node from now on, and {@code predecessor} is
   * asked to stop (SIGTERM). It accepts what the kernel had already queued on its sockets, answers
   * what it has in flight, and exits within its drain_timeout; then this node's sockets are first
   * in their ports' groups again.
   */
  public void takeOver(ProcessHandle predecessor) {
    listeners.takeTraffic();
    LOG.info("took over the listeners of pid {}; it finishes its requests and exits", predecessor.pid());
    predecessor.destroy();
    predecessor.onExit().thenRun(() -> {
      listeners.predecessorGone();
      LOG.info("pid {} has exited", predecessor.pid());
    });
  }

  /**
   * How long a node that was taken over goes on accepting after its successor took the traffic:
   * connections the kernel queued on its sockets just before, and handshakes under way then, are
   * accepted and answered rather than reset when the sockets close.
   */
  private static final long TAKEN_OVER_ACCEPT_MILLIS = 1000;

  /**
   * Stops accepting, lets requests in flight finish (at most drain_timeout), closes idle
   * keep-alive connections at once and busy ones as their response completes, then releases
   * everything.
   */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    LOG.info("stopping: draining {} requests in flight{}", proxy.inFlight().requests(),
        haproxy == null ? "" : " and " + sessions() + " connections of the haproxy.cfg frontends");
    proxy.inFlight().startDraining();
    Long successor = successorPid();
    if (successor != null) {
      LOG.info("pid {} took over: accepting for {} ms what was queued here, then draining", successor,
          TAKEN_OVER_ACCEPT_MILLIS);
      for (Channel c : proxy.inFlight().channels()) {
        HttpProxy.closeIfIdle(c);
      }
      sleep(TAKEN_OVER_ACCEPT_MILLIS);
    }
    for (Channel c : proxyListeners) {
      c.close().syncUninterruptibly();
    }
    if (haproxy != null) {
      haproxy.stopAccepting();
    }
    for (Channel c : adminListeners) {
      c.close().syncUninterruptibly();
    }
    for (Channel c : streamListeners) {
      c.close().syncUninterruptibly();
    }
    for (Channel c : proxy.inFlight().channels()) {
      HttpProxy.closeIfIdle(c);
    }
    long deadline = System.nanoTime() + (long) (settings.drainTimeout() * 1e9);
    while ((proxy.inFlight().requests() > 0 || sessions() > 0) && System.nanoTime() < deadline
        && !Thread.currentThread().isInterrupted()) {
      sleep(20);
    }
    int left = proxy.inFlight().requests() + sessions();
    if (left > 0) {
      LOG.warn("drain timeout: closing {} requests and sessions still in flight", left);
    }
    closeResources();
    LOG.info("stopped");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The pid of another live node the prefix's pid file names: the node that took this one over. */
  private Long successorPid() {
    Long pid = pidInFile();
    if (pid == null || pid == ProcessHandle.current().pid()) {
      return null;
    }
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : null;
  }

  private Long pidInFile() {
    try {
      return Long.parseLong(Files.readString(settings.prefix().resolve(PID_FILE)).trim());
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /** TCP sessions still open: the haproxy.cfg frontends' and the stream listeners'. */
  private int sessions() {
    long n = haproxy == null ? 0 : haproxy.sessions();
    for (KongStreams s : streamFrontends) {
      n += s.counters().current.get();
    }
    return (int) n;
  }

  private void closeResources() {
    for (Channel c : proxy.inFlight().channels()) {
      c.close();
    }
    if (haproxy != null) {
      haproxy.close();
    }
    if (feed != null) {
      feed.close();
    }
    plugins.close();
    checker.close();
    adminWorker.shutdownNow();
    // Bounded waits: a stop must never hang, whatever a loop is doing.
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    adminLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    proxy.close();
    if (store != null) {
      store.close();
    }
    Long inFile = pidInFile();
    if (inFile != null && inFile == ProcessHandle.current().pid()) {
      try {
        Files.deleteIfExists(settings.prefix().resolve(PID_FILE));
      } catch (IOException e) {
        LOG.debug("cannot remove pid file: {}", e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    if (!stopped) {
      stopped = true;
      proxy.inFlight().startDraining();
      for (Channel c : proxyListeners) {
        c.close();
      }
      for (Channel c : adminListeners) {
        c.close();
      }
      for (Channel c : streamListeners) {
        c.close();
      }
      if (haproxy != null) {
        haproxy.stopAccepting();
      }
      closeResources();
    }
  }
}
