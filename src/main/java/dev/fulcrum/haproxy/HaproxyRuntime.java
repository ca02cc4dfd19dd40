package dev.fulcrum.haproxy;

import dev.fulcrum.conf.ListenAddress;
import dev.fulcrum.haproxy.HaproxyConfig.StatsSocket;
import dev.fulcrum.net.AcceptGate;
import dev.fulcrum.proxy.tcp.TcpProxy;
import dev.fulcrum.runtimeapi.CliServer;
import dev.fulcrum.runtimeapi.RuntimeModel;
import dev.fulcrum.runtimeapi.RuntimeModel.ProxyView;
import dev.fulcrum.net.Listeners;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A haproxy.cfg running inside a node: its listeners, health checks and stats sockets. A reload
 * re-reads the file and swaps the configuration under the listeners: addresses kept stay open
 * (no connection is refused), new ones open before anything changes, removed ones close, sessions
 * in progress finish where they started. A file that does not parse or bind changes nothing.
 */
public final class HaproxyRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("haproxy");

  /**
   * How a node runs the configuration.
   *
   * @param workers the proxy event loops
   * @param cliGroup the event loop of the stats sockets
   * @param http sets up connections of {@code mode http} frontends, or null when the node has none
   * @param kongProxies the Kong upstreams, shown after the configuration's proxies
   */
  public record Options(
      Path file,
      Map<String, String> env,
      EventLoopGroup workers,
      EventLoopGroup cliGroup,
      TcpProxy tcp,
      dev.fulcrum.proxy.http.HttpProxy http,
      Supplier<List<ProxyView>> kongProxies,
      int nbthread) {}

  /** One bound address and the frontend its new connections go to. */
  private static final class Listener {
    Channel channel;
    final AcceptGate gate;
    volatile BoundFrontend frontend;

    Listener(BoundFrontend frontend) {
      this.frontend = frontend;
      this.gate = new AcceptGate(frontend.limit());
    }
  }

  private final Options options;
  private final HaState state = new HaState();
  private final dev.fulcrum.upstream.health.ServerChecks checks = new dev.fulcrum.upstream.health.ServerChecks();
  private final Events events;
  private final Compiler compiler;
  private final Model model;
  private final Map<String, Listener> listeners = new LinkedHashMap<>();
  /** Stats sockets by address; a reload keeps a socket whose address stays and updates its level. */
  private final Map<String, CliServer> cliServers = new LinkedHashMap<>();
  private volatile Compiler.Compiled current;
  private volatile boolean stopping;

  private HaproxyRuntime(Options options) {
    this.options = options;
    this.events = new Events(() -> current, checks);
    this.compiler = new Compiler(state, events::checkChanged);
    this.model = new Model(this, options.kongProxies(), events);
  }

  /**
   * Parses, compiles and starts the configuration.
   *
   * @throws CfgException with file, line and reason when it cannot run; nothing stays open
   */
  public static HaproxyRuntime start(Options options) {
    HaproxyRuntime rt = new HaproxyRuntime(options);
    try {
      Compiler.Compiled c = rt.load();
      rt.apply(c);
      return rt;
    } catch (RuntimeException e) {
      rt.close();
      throw e;
    }
  }

  private Compiler.Compiled load() {
    HaproxyConfig config = HaproxyConfig.parse(options.file(), options.env());
    for (String w : config.warnings()) {
      LOG.warn("{}", w);
    }
    Compiler.Compiled c = compiler.compile(config);
    if (options.http() == null) {
      for (HaFrontend f : c.frontends().values()) {
        if (f.config.http()) {
          throw new CfgException(f.config.where + ": 'mode http' frontends need the node's HTTP proxy");
        }
      }
    }
    return c;
  }

  /** Binds what is new, swaps the configuration in, closes what is gone. */
  private synchronized void apply(Compiler.Compiled c) {
    Map<String, Listener> opened = new LinkedHashMap<>();
    Map<String, CliServer> openedCli = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, BoundFrontend> e : c.binds().entrySet()) {
        if (!listeners.containsKey(e.getKey())) {
          opened.put(e.getKey(), bind(e.getValue()));
        }
      }
      for (StatsSocket s : c.config().global().statsSockets()) {
        if (!cliServers.containsKey(cliKey(s)) && !openedCli.containsKey(cliKey(s))) {
          openedCli.put(cliKey(s), openCli(s, c.config()));
        }
      }
    } catch (RuntimeException e) {
      opened.values().forEach(l -> l.channel.close().syncUninterruptibly());
      openedCli.values().forEach(CliServer::close);
      throw e;
    }
    c.commit();
    current = c;
    for (Map.Entry<String, BoundFrontend> e : c.binds().entrySet()) {
      Listener l = listeners.get(e.getKey());
      if (l != null) {
        l.frontend = e.getValue();
        l.gate.limit(e.getValue().limit());
      }
    }
    listeners.putAll(opened);
    listeners.entrySet().removeIf(e -> {
      if (!c.binds().containsKey(e.getKey())) {
        e.getValue().channel.close();
        return true;
      }
      return false;
    });
    cliServers.putAll(openedCli);
    Map<String, StatsSocket> wanted = new LinkedHashMap<>();
    c.config().global().statsSockets().forEach(s -> wanted.put(cliKey(s), s));
    cliServers.entrySet().removeIf(e -> {
      StatsSocket s = wanted.get(e.getKey());
      if (s == null) {
        e.getValue().close();
        return true;
      }
      e.getValue().configure(s.level(), c.config().global().statsTimeoutMillis);
      return false;
    });
    checks.replace(c.checks());
  }

  private Listener bind(BoundFrontend f) {
    Listener l = new Listener(f);
    ChannelInitializer<Channel> init =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            BoundFrontend fe = l.frontend;
            if (fe.http()) {
              // The HTTP proxy asks for each message itself.
              ch.config().setAutoRead(false);
              options.http().init(ch, fe.httpRouting(model));
            } else {
              options.tcp().init(ch, fe);
            }
          }
        };
    // TCP sessions read from the start (one epoll registration instead of two); HTTP ones opt out.
    try {
      l.channel = Listeners.bind(
          options.workers(), f.bind.host(), f.bind.port(), ListenAddress.DEFAULT_BACKLOG, false, true, l.gate, init);
    } catch (IllegalStateException e) {
      throw new CfgException(f.frontend.config.where + ": " + e.getMessage());
    }
    return l;
  }

  private static String cliKey(StatsSocket s) {
    if (s.unixPath() != null) {
      return "unix@" + s.unixPath();
    }
    // Port 0 (any free port) is a new socket each time it appears.
    return s.host() + ":" + s.port() + (s.port() == 0 ? "@" + s.where() : "");
  }

  private CliServer openCli(StatsSocket s, HaproxyConfig config) {
    InetSocketAddress tcp = s.unixPath() == null ? new InetSocketAddress(s.host(), s.port()) : null;
    try {
      return CliServer.open(
          options.cliGroup(), model, tcp, s.unixPath(), s.level(), config.global().statsTimeoutMillis,
          config.global().statsMaxconn);
    } catch (RuntimeException e) {
      throw new CfgException(s.where() + ": cannot open stats socket: " + e.getMessage());
    }
  }

  /**
   * Re-reads the file and applies it. On any error the running configuration stays as it was.
   *
   * @return null on success, else why the new file was not applied
   */
  public String reload() {
    try {
      Compiler.Compiled c = load();
      apply(c);
      LOG.info("reloaded {}: {} proxies", options.file(), c.views().size());
      return null;
    } catch (CfgException e) {
      LOG.error("reload of {} failed, the running configuration is unchanged: {}", options.file(), e.getMessage());
      return e.getMessage();
    } catch (RuntimeException e) {
      // Not a configuration error: a defect, which must not take the reload down silently.
      LOG.error("reload of {} failed, the running configuration is unchanged", options.file(), e);
      return e.toString();
    }
  }

  /** Stops accepting (graceful stop): listeners close, sessions carry on. */
  public synchronized void stopAccepting() {
    stopping = true;
    for (Listener l : listeners.values()) {
      l.channel.close().syncUninterruptibly();
    }
  }

  /** Connections open on the configuration's frontends. */
  public int sessions() {
    return state.global.current();
  }

  boolean stopping() {
    return stopping;
  }

  Compiler.Compiled current() {
    return current;
  }

  HaState state() {
    return state;
  }

  Options options() {
    return options;
  }

  int listenerCount() {
    return listeners.size() + cliServers.size();
  }

  /** What the runtime API shows. */
  public RuntimeModel model() {
    return model;
  }

  /** The bound addresses of a frontend (port 0 binds resolved), for tests and logs. */
  public List<InetSocketAddress> addresses(String frontend) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Listener l : listeners.values()) {
      if (l.frontend.frontend.name().equals(frontend)) {
        out.add((InetSocketAddress) l.channel.localAddress());
      }
    }
    return out;
  }

  /** The stats sockets' addresses. */
  public List<SocketAddress> statsAddresses() {
    List<SocketAddress> out = new ArrayList<>();
    for (CliServer s : cliServers.values()) {
      out.add(s.localAddress());
    }
    return out;
  }

  @Override
  public synchronized void close() {
    checks.close();
    for (Listener l : listeners.values()) {
      l.channel.close();
    }
    listeners.clear();
    for (CliServer s : cliServers.values()) {
      s.close();
    }
    cliServers.clear();
  }
}
