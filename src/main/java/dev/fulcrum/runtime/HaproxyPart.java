package dev.fulcrum.runtime;

import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.upstream.Backend;
import java.util.List;
import java.util.Map;

/**
 * What a haproxy.cfg compiles to.
 *
 * @param proxies its frontends, backends and listens in file order
 * @param bindings its bind lines by address
 * @param backends its backends
 * @param global the process-wide connection cap ({@code global maxconn})
 * @param node {@code global node}, or null
 */
public record HaproxyPart(
    List<Proxy> proxies, Map<String, Binding> bindings, List<Backend> backends, ConnectionLimit global, String node) {

  public static final HaproxyPart EMPTY = new HaproxyPart(List.of(), Map.of(), List.of(), null, null);
}
