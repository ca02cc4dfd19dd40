package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.metrics.Counters;
import java.util.List;
import java.util.function.Predicate;

/**
 * A frontend (or listen) section as the running configuration has it: its switching rules
 * ({@code use_backend ... if}, then {@code default_backend}), its counters and its connection cap.
 */
final class HaFrontend {
  /** A {@code use_backend} rule. */
  record Rule(Predicate<Acl.Facts> when, HaBackend backend) {}

  final Proxy config;
  final List<Rule> rules;
  final HaBackend defaultBackend;
  final Counters counters;
  final ConnectionLimit limit;

  HaFrontend(Proxy config, List<Rule> rules, HaBackend defaultBackend, Counters counters, ConnectionLimit limit) {
    this.config = config;
    this.rules = rules;
    this.defaultBackend = defaultBackend;
    this.counters = counters;
    this.limit = limit;
  }

  String name() {
    return config.name();
  }

  /** The first rule that matches, else the default backend; null when there is none. */
  HaBackend route(Acl.Facts facts) {
    for (Rule r : rules) {
      if (r.when().test(facts)) {
        return r.backend();
      }
    }
    return defaultBackend;
  }
}
