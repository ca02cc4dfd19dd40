package dev.fulcrum.runtime;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalService;
import dev.fulcrum.router.RequestFacts;
import dev.fulcrum.upstream.Destination;
import java.util.List;
import java.util.function.Predicate;

/**
 * A haproxy.cfg frontend (or listen section) compiled: its switching rules ({@code use_backend ...
 * if}, then {@code default_backend}), its own http-request and http-response rules, its stats
 * page, timeouts, counters and connection cap. Immutable; counters and the cap outlive reloads.
 */
public final class Frontend {
  /**
   * Where one switching rule sends traffic.
   *
   * @param when the rule's condition (always true for the default backend)
   * @param http the backend as this frontend's HTTP requests reach it (null in tcp mode)
   * @param tcp the backend for tcp sessions (null in http mode)
   */
  public record Rule(Predicate<RequestFacts> when, HttpTarget http, Destination tcp) {}

  /**
   * @param http {@code mode http}
   * @param steps its http-request and http-response rules, before the switching rules
   * @param stats its stats page, or null
   * @param clientTimeoutMillis {@code timeout client}
   * @param idleTimeoutMillis how long a client connection may wait for a request (timeout
   *     http-keep-alive, else http-request, else client)
   * @param headTimeoutMillis how long a request head may take (timeout http-request, else client)
   */
  public record Spec(
      String name, int id, boolean http, List<HttpStep> steps, LocalService stats, long clientTimeoutMillis,
      long idleTimeoutMillis, long headTimeoutMillis) {}

  private final Spec spec;
  private final List<Rule> rules;
  private final Rule fallback;
  private final Counters counters;
  private final ConnectionLimit limit;

  /** @param fallback the default backend, or null */
  public Frontend(Spec spec, List<Rule> rules, Rule fallback, Counters counters, ConnectionLimit limit) {
    this.spec = spec;
    this.rules = List.copyOf(rules);
    this.fallback = fallback;
    this.counters = counters;
    this.limit = limit;
  }

  public String name() {
    return spec.name();
  }

  public int id() {
    return spec.id();
  }

  public boolean http() {
    return spec.http();
  }

  public List<HttpStep> steps() {
    return spec.steps();
  }

  public LocalService stats() {
    return spec.stats();
  }

  public long clientTimeoutMillis() {
    return spec.clientTimeoutMillis();
  }

  public long idleTimeoutMillis() {
    return spec.idleTimeoutMillis();
  }

  public long headTimeoutMillis() {
    return spec.headTimeoutMillis();
  }

  public Counters counters() {
    return counters;
  }

  public ConnectionLimit limit() {
    return limit;
  }

  /** The first rule that matches, else the default backend; null when there is none. */
  public Rule route(RequestFacts facts) {
    for (Rule r : rules) {
      if (r.when().test(facts)) {
        return r;
      }
    }
    return fallback;
  }
}
