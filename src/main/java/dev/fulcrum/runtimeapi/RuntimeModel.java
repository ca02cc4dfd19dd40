package dev.fulcrum.runtimeapi;

import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.runtime.Proxy;
import java.util.List;

/**
 * What the runtime API shows and changes: the proxies of the node's current snapshot (the
 * haproxy.cfg's, then the Kong upstreams) and the process they run in. Proxies are structure over
 * live counters and states, so a command reads current numbers.
 */
public interface RuntimeModel {
  List<Proxy> proxies();

  ProcessView process();

  /** The process-wide connection cap ({@code set maxconn global}), or null. */
  ConnectionLimit globalLimit();

  /**
   * Process-wide figures for {@code show info}.
   *
   * @param maxconn the global connection cap
   * @param stopping no longer accepting (frontends show STOP)
   */
  record ProcessView(
      int maxconn, long startMillis, String node, String description, int nbthread, int listeners,
      boolean stopping) {}
}
