package dev.fulcrum.upstream;

import dev.fulcrum.model.HostPort;
import dev.fulcrum.net.UpstreamTls;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A target as one snapshot balances it: where to connect, the Host header it expects, its weight
 * and its long-lived state. A Kong target and a haproxy.cfg server are both one of these.
 */
public final class UpstreamTarget {
  private final String target;
  private final String host;
  private final int port;
  private final int weight;
  private final int index;
  private final TargetState state;
  private final InetSocketAddress address;
  private final AsciiString hostHeader;
  private final boolean healthChecked;
  private final ServerOptions options;

  /**
   * What HAProxy's {@code server} line adds to a target (Kong targets take the defaults).
   *
   * @param name server name ({@code svname} in stats)
   * @param id server id ({@code sid}, HAProxy's puid), 1-based in declaration order
   * @param forcedId whether the configuration set the id
   * @param backup used only when no active server is usable
   * @param maxconn concurrent connections (requests in HTTP) sent to it; 0 = unlimited
   * @param maxqueue requests waiting for it; 0 = unlimited
   * @param sendProxy 0 none, 1 PROXY protocol v1, 2 v2
   * @param shutdownSessionsOnDown close its sessions when it goes down ({@code on-marked-down
   *     shutdown-sessions}); otherwise they continue
   * @param slowstartMillis after coming back up, its weight ramps up over this time (0 = at once)
   * @param rise its {@code rise} setting (stats show it even without checks), 0 for Kong targets
   * @param fall its {@code fall} setting
   * @param check how HAProxy checks it, or null when it is not checked
   * @param tls its {@code ssl} settings, or null for cleartext (Kong targets: the service decides)
   */
  public record ServerOptions(
      String name, int id, boolean forcedId, boolean backup, int maxconn, int maxqueue, int sendProxy,
      boolean shutdownSessionsOnDown, long slowstartMillis, int rise, int fall, CheckSpec check, UpstreamTls tls) {
    public static ServerOptions kong(String target, int index) {
      return new ServerOptions(target, index + 1, false, false, 0, 0, 0, false, 0, 0, 0, null, null);
    }
  }

  /**
   * @param healthChecked whether health checks decide its health; without them only operator
   *     flags take a target out, as Kong ignores health when no checker exists
   */
  public UpstreamTarget(
      String target, String host, int port, int weight, int index, TargetState state, String hostHeader,
      boolean healthChecked, ServerOptions options) {
    this.target = target;
    this.host = host;
    this.port = port;
    this.weight = weight;
    this.index = index;
    this.state = state;
    this.address = literalAddress(host, port);
    this.hostHeader = new AsciiString(hostHeader);
    this.healthChecked = healthChecked;
    this.options = options;
  }

  public ServerOptions options() {
    return options;
  }

  /** Takes one of its connection slots when it is usable and below its maxconn. */
  public boolean tryAcquire() {
    return usable() && state.tryAcquire(options.maxconn());
  }

  /** At its maxconn: a balancer skips it (HAProxy queues the request instead). */
  public boolean full() {
    return options.maxconn() > 0 && state.inFlight() >= options.maxconn();
  }

  /** The address when {@code host} is an IP literal (no DNS needed), else null. */
  public static InetSocketAddress literalAddress(String host, int port) {
    HostPort hp = HostPort.parse(host);
    if (!hp.valid() || !hp.isIp()) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(hp.host()), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Host header for this target: the name (or IP) plus the port unless it is the default. */
  public static String hostHeader(String host, int port, boolean https) {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    int defaultPort = https ? 443 : 80;
    return port == defaultPort ? h : h + ":" + port;
  }

  /** {@code host:port} as configured: the key of its connection pool. */
  public String target() {
    return target;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public int weight() {
    return weight;
  }

  /** The weight now: the configured one, unless changed at run time (HAProxy's set weight). */
  public int currentWeight() {
    int override = state.weightOverride();
    return override >= 0 ? override : weight;
  }

  /**
   * HAProxy's effective weight: the weight times 16, ramped up after the server came back when it
   * has a slowstart (src/server.c: uweight * ((16 * elapsed_s + ss_s) / ss_s), at most 16 times
   * the weight). Dynamic balancers use it; it starts at 1/16 of the full weight.
   */
  public int effectiveWeight() {
    int full = currentWeight() * 16;
    long ss = options.slowstartMillis();
    if (ss <= 0 || full == 0) {
      return full;
    }
    long since = state.upSinceMillis();
    if (since == 0) {
      return full;
    }
    long elapsed = System.currentTimeMillis() - since;
    if (elapsed >= ss) {
      return full;
    }
    long ssSeconds = (ss + 999) / 1000;
    long factor = (16 * (elapsed / 1000) + ssSeconds) / ssSeconds;
    return (int) Math.min(full, currentWeight() * factor);
  }

  /** Percentage of its weight a slow-starting server has now, or 100. */
  public int throttlePercent() {
    int full = currentWeight() * 16;
    return full == 0 ? 100 : (int) (effectiveWeight() * 100L / full);
  }

  /** Position within its backend's target list. */
  public int index() {
    return index;
  }

  public TargetState state() {
    return state;
  }

  public boolean usable() {
    return currentWeight() > 0 && (healthChecked ? state.usable() : state.usableIgnoringHealth());
  }

  public boolean healthChecked() {
    return healthChecked;
  }

  /** HAProxy's {@code check} on this server. */
  public boolean checked() {
    return options.check() != null;
  }

  public InetSocketAddress address() {
    return address;
  }

  /** The Host header value, as bytes ready for the encoder. */
  public AsciiString hostHeader() {
    return hostHeader;
  }

  @Override
  public String toString() {
    return target;
  }
}
