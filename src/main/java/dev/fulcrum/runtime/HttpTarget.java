package dev.fulcrum.runtime;

import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalService;
import dev.fulcrum.upstream.Destination;
import java.util.List;

/**
 * Where a routed HTTP request goes and the steps on its way there: a Kong route's service, or a
 * haproxy.cfg backend as a frontend switches to it.
 *
 * @param steps run in order after routing (HAProxy's backend http-request rules, Kong plugins)
 * @param local answers requests it wants itself (a backend's {@code stats uri}), or null
 */
public record HttpTarget(Destination destination, List<HttpStep> steps, LocalService local) {
  public HttpTarget {
    steps = List.copyOf(steps);
  }
}
