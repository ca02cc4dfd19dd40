package dev.fulcrum.runtime;

import dev.fulcrum.plugin.HttpStep;

import dev.fulcrum.model.Route;
import dev.fulcrum.router.Router;
import dev.fulcrum.router.StreamRouter;
import dev.fulcrum.upstream.Backend;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the Kong entities compile to.
 *
 * @param version the newest change event included
 * @param router the HTTP routes
 * @param streams the tcp routes
 * @param services the services by id
 * @param upstreams the upstreams by name, in name order
 * @param upstreamIds upstream name by id
 * @param backends every backend: the upstreams' and the plain-host services'
 * @param chains the steps of each route that has plugins (its plugins, then the service steps)
 */
public record KongPart(
    long version, Router router, StreamRouter streams, Map<String, KongTarget> services,
    Map<String, Backend> upstreams, Map<String, String> upstreamIds, List<Backend> backends,
    Map<String, List<HttpStep>> chains)
    implements Predicate<Route> {

  public static final KongPart EMPTY =
      new KongPart(-1, Router.EMPTY, StreamRouter.EMPTY, Map.of(), Map.of(), Map.of(), List.of(), Map.of());

  /** The plugin chain of a route, or null when it has no plugins. */
  public List<HttpStep> chain(Route route) {
    return chains.isEmpty() ? null : chains.get(route.id());
  }

  /** The upstream with this id, or null. */
  public Backend upstreamById(String id) {
    String name = upstreamIds.get(id);
    return name == null ? null : upstreams.get(name);
  }

  /** The service of a route, or null when it has none (or it is gone). */
  public KongTarget service(Route route) {
    String id = route.serviceId();
    return id == null ? null : services.get(id);
  }

  /**
   * Whether {@code route} may serve: Kong leaves routes of disabled services out of the router;
   * a route without a service stays (and is answered 503).
   */
  @Override
  public boolean test(Route route) {
    if (route.serviceId() == null) {
      return true;
    }
    KongTarget s = services.get(route.serviceId());
    return s != null && s.service().enabled();
  }
}
