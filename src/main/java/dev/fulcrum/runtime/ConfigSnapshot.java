package dev.fulcrum.runtime;

import dev.fulcrum.router.Router;
import dev.fulcrum.router.StreamRouter;
import dev.fulcrum.upstream.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the proxy needs to serve requests, from both configuration sources (the Kong
 * entities and a haproxy.cfg), compiled into the same runtime objects and never changed
 * afterwards. A request reads one snapshot from start to end. The proxies are listed as HAProxy's
 * runtime API shows them: the haproxy.cfg's in file order, then the Kong upstreams by name,
 * numbered after them.
 */
public final class ConfigSnapshot {
  public static final ConfigSnapshot EMPTY = new ConfigSnapshot(KongPart.EMPTY, HaproxyPart.EMPTY);

  private final KongPart kong;
  private final HaproxyPart haproxy;
  private final List<Proxy> proxies;
  private final List<Backend> backends;

  public ConfigSnapshot(KongPart kong, HaproxyPart haproxy) {
    this.kong = kong;
    this.haproxy = haproxy;
    List<Proxy> all = new ArrayList<>(haproxy.proxies());
    int id = 1;
    for (Proxy p : all) {
      id = Math.max(id, p.id());
    }
    for (Map.Entry<String, Backend> e : kong.upstreams().entrySet()) {
      all.add(new Proxy(e.getKey(), ++id, false, true, null, e.getValue()));
    }
    this.proxies = List.copyOf(all);
    List<Backend> b = new ArrayList<>(haproxy.backends());
    b.addAll(kong.backends());
    this.backends = List.copyOf(b);
  }

  public KongPart kong() {
    return kong;
  }

  public HaproxyPart haproxy() {
    return haproxy;
  }

  /** The newest Kong change event this snapshot includes. */
  public long version() {
    return kong.version();
  }

  public Router router() {
    return kong.router();
  }

  public StreamRouter streams() {
    return kong.streams();
  }

  /** Every proxy, as the runtime API and stats show them. */
  public List<Proxy> proxies() {
    return proxies;
  }

  /** Every backend of both sources. */
  public List<Backend> backends() {
    return backends;
  }
}
