package dev.fulcrum.runtime;

import dev.fulcrum.upstream.Backend;

/**
 * A proxy as HAProxy's runtime API and stats list them: a haproxy.cfg frontend, backend or
 * listen section, or a Kong upstream (a backend without a frontend).
 *
 * @param id HAProxy's iid
 * @param forcedId whether the configuration set the id
 * @param http {@code mode http} (Kong upstreams are)
 * @param frontend its frontend side, or null
 * @param backend its backend side, or null
 */
public record Proxy(String name, int id, boolean forcedId, boolean http, Frontend frontend, Backend backend) {
  public String mode() {
    return http ? "http" : "tcp";
  }
}
