package dev.fulcrum.proxy.http;

import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.router.RouteMatch;
import dev.fulcrum.runtime.HttpTarget;

/**
 * What routing decided for one request: forward it to a target (with the route it matched, whose
 * regex captures Kong's hashing may read), or answer it here.
 */
public record Routed(HttpTarget target, RouteMatch match, LocalResponse answer) {
  static Routed forward(HttpTarget target, RouteMatch match) {
    return new Routed(target, match, null);
  }

  static Routed answer(LocalResponse answer) {
    return new Routed(null, null, answer);
  }
}
