package dev.fulcrum.upstream;

import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.upstream.KongHealth.Outcome;
import java.util.List;

/**
 * A Kong upstream's health-check settings compiled for the hot path: status lists as lookup
 * tables, thresholds as ints. Passive reports come from proxied requests, active ones from
 * probes; both feed the same per-target counters, each with its own thresholds (Kong's
 * semantics). Every report says whether the target went up or down.
 */
public final class HealthRules {
  /** No health checker: health is never counted (HAProxy backends, plain-host services). */
  public static final HealthRules OFF = new HealthRules(null);

  private final Healthchecks config;
  private final boolean enabled;
  private final boolean activeEnabled;
  private final boolean[] activeHealthy = new boolean[1000];
  private final boolean[] activeUnhealthy = new boolean[1000];
  private final boolean[] passiveHealthy = new boolean[1000];
  private final boolean[] passiveUnhealthy = new boolean[1000];

  private HealthRules(Healthchecks config) {
    this.config = config;
    this.enabled = config != null && config.enabled();
    this.activeEnabled = config != null && config.activeEnabled();
    if (config != null) {
      fill(activeHealthy, config.active().healthyStatuses());
      fill(activeUnhealthy, config.active().unhealthyStatuses());
      fill(passiveHealthy, config.passive().healthyStatuses());
      fill(passiveUnhealthy, config.passive().unhealthyStatuses());
    }
  }

  public static HealthRules of(Healthchecks config) {
    return new HealthRules(config);
  }

  private static void fill(boolean[] table, List<Integer> statuses) {
    for (int s : statuses) {
      if (s >= 0 && s < table.length) {
        table[s] = true;
      }
    }
  }

  /** Whether the upstream has a health checker at all (Kong: some interval or threshold set). */
  public boolean enabled() {
    return enabled;
  }

  /** Whether active probes run (an interval is set). */
  public boolean activeEnabled() {
    return activeEnabled;
  }

  public Healthchecks config() {
    return config;
  }

  /** Kong's upstream threshold (percent of weight that must be usable), 0 when unset. */
  public double threshold() {
    return config == null ? 0 : config.threshold();
  }

  // ------------------------------------------------------------- passive

  /** A proxied response arrived with {@code status}; true when the target went up or down. */
  boolean passiveStatus(TargetState state, int status) {
    if (!enabled || status < 0 || status >= 1000) {
      return false;
    }
    Healthchecks.Passive p = config.passive();
    if (passiveHealthy[status]) {
      return state.report(Outcome.SUCCESS, p.successes(), "passive check", 0);
    }
    if (passiveUnhealthy[status]) {
      return state.report(Outcome.HTTP_FAILURE, p.httpFailures(), "passive check", status);
    }
    return false;
  }

  /** A try at the target failed to connect, was reset, or timed out. */
  boolean passiveFailure(TargetState state, boolean timeout) {
    if (!enabled) {
      return false;
    }
    Healthchecks.Passive p = config.passive();
    return timeout
        ? state.report(Outcome.TIMEOUT, p.timeouts(), "passive check", 0)
        : state.report(Outcome.TCP_FAILURE, p.tcpFailures(), "passive check", 0);
  }

  // -------------------------------------------------------------- active

  /** A probe got an HTTP response with {@code status}; statuses in neither list are ignored. */
  boolean activeStatus(TargetState state, int status) {
    Healthchecks.Active a = config.active();
    if (status >= 0 && status < 1000 && activeHealthy[status]) {
      return state.report(Outcome.SUCCESS, a.successes(), "active check", 0);
    }
    if (status >= 0 && status < 1000 && activeUnhealthy[status]) {
      return state.report(Outcome.HTTP_FAILURE, a.httpFailures(), "active check", status);
    }
    return false;
  }

  /** A TCP probe connected. */
  boolean activeSuccess(TargetState state) {
    return state.report(Outcome.SUCCESS, config.active().successes(), "active check", 0);
  }

  boolean activeFailure(TargetState state, boolean timeout) {
    Healthchecks.Active a = config.active();
    return timeout
        ? state.report(Outcome.TIMEOUT, a.timeouts(), "active check", 0)
        : state.report(Outcome.TCP_FAILURE, a.tcpFailures(), "active check", 0);
  }
}
