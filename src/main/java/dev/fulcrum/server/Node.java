package dev.fulcrum.server;

import dev.fulcrum.admin.AdminApi;
import dev.fulcrum.admin.AdminServer;
import dev.fulcrum.cluster.ChangeFeed;
import dev.fulcrum.conf.ListenAddress;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.model.Ids;
import dev.fulcrum.proxy.http.HttpProxy;
import dev.fulcrum.runtime.SnapshotCompiler;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.health.ActiveChecks;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fulcrum node: store, change feed, proxy and Admin API listeners, and the orderly stop
 * that lets requests in flight finish.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  public static final String PID_FILE = "fulcrum.pid";
  static final String NODE_ID_FILE = "node.id";

  private final NodeSettings settings;
  private final Store store;
  private final TargetStates targetStates = new TargetStates();
  private final SnapshotHolder snapshots = new SnapshotHolder();
  private final ChangeFeed feed;
  private final HttpProxy proxy;
  private final ActiveChecks activeChecks = new ActiveChecks();
  private final EventLoopGroup workers;
  private final EventLoopGroup adminLoop;
  private final ExecutorService adminWorker;
  private final List<Channel> proxyListeners = new ArrayList<>();
  private final List<Channel> adminListeners = new ArrayList<>();
  private volatile boolean stopped;

  private Node(NodeSettings settings) {
    this.settings = settings;
    String nodeId = nodeId(settings.prefix());
    this.store = openStore(settings, nodeId);
    this.feed = new ChangeFeed(store, new SnapshotCompiler(targetStates), snapshots);
    this.proxy = new HttpProxy(snapshots, settings);
    int threads = settings.workerThreads() > 0 ? settings.workerThreads() : Runtime.getRuntime().availableProcessors();
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
    Node node = new Node(settings);
    try {
      node.startAll();
      return node;
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private static Store openStore(NodeSettings settings, String nodeId) {
    switch (settings.database()) {
      case EMBEDDED:
        // The embedded store needs no set-up: a new node bootstraps its own schema.
        EmbeddedStore store = EmbeddedStore.open(settings.prefix(), nodeId);
        store.migrateUp();
        return store;
      default:
        throw new SettingsException(
            "database", settings.get("database"), "only 'embedded' is available in this version");
    }
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
    snapshots.subscribe(s -> activeChecks.accept(s.upstreamsByName().values()));
    feed.start(settings.dbUpdateFrequency());
    for (ListenAddress a : settings.proxyListen()) {
      proxyListeners.add(bind(a, workers, proxy.clientInitializer(), false, "proxy_listen"));
    }
    AdminApi api = new AdminApi(new Dao(store), snapshots, settings, proxy.inFlight());
    for (ListenAddress a : settings.adminListen()) {
      adminListeners.add(bind(a, adminLoop, AdminServer.initializer(api, adminWorker), true, "admin_listen"));
    }
    writePidFile();
    LOG.info(
        "fulcrum {} started (node {}, {} transport): proxy {}, admin {}",
        Version.VERSION, store.nodeId(), Transport.epoll() ? "epoll" : "nio",
        proxyAddresses(), adminAddresses());
  }

  /** @param autoRead false for the proxy, which reads only when it can pass data on */
  private Channel bind(
      ListenAddress a, EventLoopGroup group, ChannelInitializer<Channel> init, boolean autoRead, String key) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group, group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, a.backlog())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.AUTO_READ, autoRead)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, UpstreamConnections.WATER_MARK)
            .childHandler(init);
    if (a.reuseport() && Transport.epoll()) {
      b.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    try {
      return b.bind(new InetSocketAddress(a.host(), a.port())).syncUninterruptibly().channel();
    } catch (Exception e) {
      throw new SettingsException(key + ": cannot listen on " + a + ": " + e.getMessage());
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
   * Stops accepting, lets requests in flight finish (at most drain_timeout), closes idle
   * keep-alive connections at once and busy ones as their response completes, then releases
   * everything.
   */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    LOG.info("stopping: draining {} requests in flight", proxy.inFlight().requests());
    proxy.inFlight().startDraining();
    for (Channel c : proxyListeners) {
      c.close().syncUninterruptibly();
    }
    for (Channel c : adminListeners) {
      c.close().syncUninterruptibly();
    }
    for (Channel c : proxy.inFlight().channels()) {
      HttpProxy.closeIfIdle(c);
    }
    long deadline = System.nanoTime() + (long) (settings.drainTimeout() * 1e9);
    while (proxy.inFlight().requests() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    int left = proxy.inFlight().requests();
    if (left > 0) {
      LOG.warn("drain timeout: closing {} requests still in flight", left);
    }
    closeResources();
    LOG.info("stopped");
  }

  private void closeResources() {
    for (Channel c : proxy.inFlight().channels()) {
      c.close();
    }
    feed.close();
    activeChecks.close();
    adminWorker.shutdownNow();
    // Bounded waits: a stop must never hang, whatever a loop is doing.
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    adminLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    proxy.close();
    store.close();
    try {
      Files.deleteIfExists(settings.prefix().resolve(PID_FILE));
    } catch (IOException e) {
      LOG.debug("cannot remove pid file: {}", e.getMessage());
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
      closeResources();
    }
  }
}
