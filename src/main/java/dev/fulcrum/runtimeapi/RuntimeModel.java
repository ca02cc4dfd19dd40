package dev.fulcrum.runtimeapi;

import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.List;

/**
 * What the runtime API shows and changes: the proxies in configuration order (haproxy.cfg's, then
 * the Kong upstreams) and the process they run in. Views are snapshots of structure over live
 * counters and states, so a command reads current numbers.
 */
public interface RuntimeModel {
  List<ProxyView> proxies();

  ProcessView process();

  /** The process-wide connection cap ({@code set maxconn global}). */
  ConnectionLimit globalLimit();

  /**
   * A command changed a server (maintenance, drain, health, weight): log it as HAProxy does and
   * let the rest of the node react (queued sessions retried, checks restarted).
   */
  void serverChanged(ProxyView proxy, ServerView server, Change change);

  /** What a command did to a server. */
  enum Change {
    ENTER_MAINT,
    LEAVE_MAINT,
    ENTER_DRAIN,
    LEAVE_DRAIN,
    HEALTH_UP,
    HEALTH_STOPPING,
    HEALTH_DOWN,
    WEIGHT
  }

  /**
   * A proxy: a haproxy.cfg frontend, backend or listen section, or a Kong upstream.
   *
   * @param mode tcp or http
   * @param frontend its frontend side, or null
   * @param backend its backend side, or null
   */
  record ProxyView(String name, int id, boolean forcedId, String mode, FrontendView frontend, BackendView backend) {
    public boolean http() {
      return "http".equals(mode);
    }
  }

  /** @param stopped no longer accepting (the node is stopping) */
  record FrontendView(Counters counters, ConnectionLimit limit, boolean stopped) {}

  /**
   * @param fullconn the backend's session limit for stats (HAProxy's fullconn)
   * @param staticWeights a static algorithm (static-rr, map-based hash): weights only 0% or 100%
   */
  record BackendView(Backend backend, int fullconn, boolean staticWeights, List<ServerView> servers) {}

  /**
   * A server and how it is checked.
   *
   * @param checked whether it has health checks ({@code check})
   * @param checkPort its check port, 0 for the server's own
   * @param checkAddr its check address, or null
   */
  record ServerView(
      UpstreamTarget target, boolean checked, int rise, int fall, boolean forcedId, int checkPort, String checkAddr) {
    public String name() {
      return target.options().name();
    }
  }

  /**
   * Process-wide figures for {@code show info}.
   *
   * @param maxconn the global connection cap
   */
  record ProcessView(
      int maxconn, long startMillis, String node, String description, int nbthread, int listeners,
      boolean stopping) {}
}
