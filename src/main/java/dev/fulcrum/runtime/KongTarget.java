package dev.fulcrum.runtime;

import dev.fulcrum.model.Service;
import dev.fulcrum.upstream.Destination;

/**
 * A Kong service as the proxy runs it.
 *
 * @param http its destination for HTTP routes
 * @param preservingHost the same for routes with preserve_host
 * @param stream its destination for tcp routes, or null when it cannot take them (not a tcp
 *     service, or a host that does not resolve)
 */
public record KongTarget(Service service, HttpTarget http, HttpTarget preservingHost, Destination stream) {
  /** The destination of a route, by its preserve_host. */
  public HttpTarget http(boolean preserveHost) {
    return preserveHost ? preservingHost : http;
  }
}
