package dev.fulcrum.haproxy;

import dev.fulcrum.conf.ListenAddress;
import dev.fulcrum.haproxy.HaproxyConfig.StatsSocket;
import dev.fulcrum.net.AcceptGate;
import dev.fulcrum.net.Listeners;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.proxy.http.HttpProxy;
import dev.fulcrum.proxy.http.HttpRouting;
import dev.fulcrum.proxy.tcp.TcpProxy;
import dev.fulcrum.runtime.Binding;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetStates;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A haproxy.cfg as one of a node's configuration sources: it compiles the file into the node's
 * runtime (the snapshot's haproxy part) and keeps the file's listeners and stats sockets open. A
 * reload re-reads the file and swaps the configuration under the listeners: addresses kept stay
 * open (no connection is refused), new ones open before anything changes, removed ones close,
 * sessions in progress finish where they started. A file that does not parse or bind changes
 * nothing.
 */
public final class HaproxyRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("haproxy");

  /** Opens the runtime API on a stats socket (the node's runtime API does it). */
  public interface StatsSockets {
    /** An open stats socket. */
    interface Socket {
      /** New level and idle timeout for connections accepted from now on. */
      void configure(String level, long timeoutMillis);

      SocketAddress localAddress();

      void close();
    }

    /** @throws RuntimeException saying why the socket cannot open */
    Socket open(StatsSocket socket, long timeoutMillis, int maxconn);
  }

  /**
   * How a node runs the configuration.
   *
   * @param workers the proxy event loops
   * @param http sets up connections of {@code mode http} frontends, or null when the node has none
   * @param snapshots where the compiled configuration goes
   * @param states the node's registry of server and backend states
   * @param events the node's health checker, told of servers coming back
   */
  public record Options(
      Path file, Map<String, String> env, EventLoopGroup workers, Listeners listeners, TcpProxy tcp, HttpProxy http,
      SnapshotHolder snapshots, TargetStates states, ServerEvents events, TlsContexts tls, StatsPages statsPages,
      StatsSockets statsSockets) {}

  /** One bound address and the frontend its new connections go to. */
  private static final class Listener {
    Channel channel;
    final AcceptGate gate;
    volatile Binding binding;
    volatile HttpRouting routing;

    Listener(Binding binding) {
      this.gate = new AcceptGate(binding.limit());
      set(binding);
    }

    void set(Binding b) {
      binding = b;
      routing = b.frontend().http() ? HttpProxy.routing(b.frontend()) : null;
    }
  }

  private final Options options;
  private final HaState state = new HaState();
  private final Compiler compiler;
  private final Map<String, Listener> listeners = new LinkedHashMap<>();
  /** Stats sockets by address; a reload keeps a socket whose address stays and updates its level. */
  private final Map<String, StatsSockets.Socket> cliServers = new LinkedHashMap<>();
  private volatile Compiler.Compiled current;
  private volatile boolean stopping;

  private HaproxyRuntime(Options options) {
    this.options = options;
    this.compiler = new Compiler(state, options.states(), options.events(), options.statsPages(), options.tls());
  }

  /**
   * Parses, compiles and starts the configuration.
   *
   * @throws CfgException with file, line and reason when it cannot run; nothing stays open
   */
  public static HaproxyRuntime start(Options options) {
    HaproxyRuntime rt = new HaproxyRuntime(options);
    try {
      rt.apply(rt.load());
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
      for (Binding b : c.part().bindings().values()) {
        if (b.frontend().http()) {
          throw new CfgException("frontend '" + b.frontend().name() + "': 'mode http' frontends need the node's HTTP proxy");
        }
      }
    }
    return c;
  }

  /** Binds what is new, swaps the configuration in, closes what is gone. */
  private synchronized void apply(Compiler.Compiled c) {
    Map<String, Listener> opened = new LinkedHashMap<>();
    Map<String, StatsSockets.Socket> openedCli = new LinkedHashMap<>();
    HaproxyConfig.Global global = c.config().global();
    try {
      for (Map.Entry<String, Binding> e : c.part().bindings().entrySet()) {
        if (!listeners.containsKey(e.getKey())) {
          opened.put(e.getKey(), bind(e.getValue()));
        }
      }
      for (StatsSocket s : global.statsSockets()) {
        if (!cliServers.containsKey(cliKey(s)) && !openedCli.containsKey(cliKey(s))) {
          openedCli.put(cliKey(s), openCli(s, global));
        }
      }
    } catch (RuntimeException e) {
      opened.values().forEach(l -> l.channel.close().syncUninterruptibly());
      openedCli.values().forEach(StatsSockets.Socket::close);
      throw e;
    }
    c.commit();
    current = c;
    options.snapshots().setHaproxy(c.part());
    for (Map.Entry<String, Binding> e : c.part().bindings().entrySet()) {
      Listener l = listeners.get(e.getKey());
      if (l != null) {
        l.set(e.getValue());
        l.gate.limit(e.getValue().limit());
      }
    }
    listeners.putAll(opened);
    listeners.entrySet().removeIf(e -> {
      if (!c.part().bindings().containsKey(e.getKey())) {
        e.getValue().channel.close();
        return true;
      }
      return false;
    });
    cliServers.putAll(openedCli);
    Map<String, StatsSocket> wanted = new LinkedHashMap<>();
    global.statsSockets().forEach(s -> wanted.put(cliKey(s), s));
    cliServers.entrySet().removeIf(e -> {
      StatsSocket s = wanted.get(e.getKey());
      if (s == null) {
        e.getValue().close();
        return true;
      }
      e.getValue().configure(s.level(), global.statsTimeoutMillis);
      return false;
    });
  }

  private Listener bind(Binding b) {
    Listener l = new Listener(b);
    ChannelInitializer<Channel> init =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            HttpRouting routing = l.routing;
            if (routing != null) {
              // The HTTP proxy asks for each message itself.
              ch.config().setAutoRead(false);
              options.http().init(ch, routing);
            } else {
              options.tcp().init(ch, l.binding);
            }
          }
        };
    // TCP sessions read from the start (one epoll registration instead of two); HTTP ones opt out.
    try {
      l.channel = options.listeners().bind(
          options.workers(), b.host(), b.port(), ListenAddress.DEFAULT_BACKLOG, true, l.gate, init);
    } catch (IllegalStateException e) {
      throw new CfgException("frontend '" + b.frontend().name() + "': " + e.getMessage());
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

  private StatsSockets.Socket openCli(StatsSocket s, HaproxyConfig.Global global) {
    try {
      StatsSockets.Socket socket = options.statsSockets().open(s, global.statsTimeoutMillis, global.statsMaxconn);
      socket.configure(s.level(), global.statsTimeoutMillis);
      return socket;
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
      LOG.info("reloaded {}: {} proxies", options.file(), c.part().proxies().size());
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

  /** Whether the node no longer accepts (stats show frontends as STOP). */
  public boolean stopping() {
    return stopping;
  }

  /** Listening sockets, the stats sockets included ({@code show info}'s Stopped/Listeners). */
  public synchronized int listenerCount() {
    return listeners.size() + cliServers.size();
  }

  /** The bound addresses of a frontend (port 0 binds resolved), for tests and logs. */
  public synchronized List<InetSocketAddress> addresses(String frontend) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Listener l : listeners.values()) {
      if (l.binding.frontend().name().equals(frontend)) {
        out.add((InetSocketAddress) l.channel.localAddress());
      }
    }
    return out;
  }

  /** The stats sockets' addresses. */
  public synchronized List<SocketAddress> statsAddresses() {
    List<SocketAddress> out = new ArrayList<>();
    for (StatsSockets.Socket s : cliServers.values()) {
      out.add(s.localAddress());
    }
    return out;
  }

  @Override
  public synchronized void close() {
    for (Listener l : listeners.values()) {
      l.channel.close();
    }
    listeners.clear();
    for (StatsSockets.Socket s : cliServers.values()) {
      s.close();
    }
    cliServers.clear();
  }
}
