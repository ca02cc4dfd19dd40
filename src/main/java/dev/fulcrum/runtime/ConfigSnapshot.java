package dev.fulcrum.runtime;

import dev.fulcrum.router.Router;
import dev.fulcrum.router.StreamRouter;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.UpstreamCluster;
import java.util.List;
import java.util.Map;

/**
 * Everything the proxy needs to serve requests, compiled from one state of the store and never
 * changed afterwards. A request reads one snapshot from start to end.
 *
 * @param version the newest change event this snapshot includes
 * @param streams the tcp routes, each with its service as a backend
 */
public record ConfigSnapshot(
    long version, Router<ServiceTarget> router, StreamRouter<Backend> streams,
    Map<String, UpstreamCluster> upstreamsByName) {

  public static final ConfigSnapshot EMPTY =
      new ConfigSnapshot(-1, Router.compile(List.of(), r -> null), StreamRouter.compile(List.of(), r -> null), Map.of());

  public UpstreamCluster upstreamById(String id) {
    for (UpstreamCluster c : upstreamsByName.values()) {
      if (c.upstream().id().equals(id)) {
        return c;
      }
    }
    return null;
  }
}
