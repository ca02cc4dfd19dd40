package dev.fulcrum.upstream.health;

import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.TargetState.Outcome;
import java.util.List;

/**
 * An upstream's health-check settings compiled for the hot path: status lists as lookup tables,
 * thresholds as ints. Passive reports come from proxied requests, active ones from probes; both
 * feed the same per-target counters, each with its own thresholds (Kong's semantics).
 */
public final class HealthRules {
  public static final HealthRules OFF = new HealthRules(null);

  private final Healthchecks config;
  private final boolean enabled;
  private final boolean[] activeHealthy = new boolean[1000];
  private final boolean[] activeUnhealthy = new boolean[1000];
  private final boolean[] passiveHealthy = new boolean[1000];
  private final boolean[] passiveUnhealthy = new boolean[1000];

  private HealthRules(Healthchecks config) {
    this.config = config;
    this.enabled = config != null && config.enabled();
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

  public Healthchecks config() {
    return config;
  }

  // ------------------------------------------------------------- passive

  /** A proxied response arrived with {@code status}. */
  public void passiveStatus(TargetState state, int status) {
    if (!enabled || status < 0 || status >= 1000) {
      return;
    }
    Healthchecks.Passive p = config.passive();
    if (passiveHealthy[status]) {
      state.report(Outcome.SUCCESS, p.successes(), "passive check");
    } else if (passiveUnhealthy[status]) {
      state.report(Outcome.HTTP_FAILURE, p.httpFailures(), "passive check", status);
    }
  }

  /** A try at the target failed to connect, was reset, or timed out. */
  public void passiveFailure(TargetState state, boolean timeout) {
    if (!enabled) {
      return;
    }
    Healthchecks.Passive p = config.passive();
    if (timeout) {
      state.report(Outcome.TIMEOUT, p.timeouts(), "passive check");
    } else {
      state.report(Outcome.TCP_FAILURE, p.tcpFailures(), "passive check");
    }
  }

  // -------------------------------------------------------------- active

  /** A probe got an HTTP response with {@code status}; statuses in neither list are ignored. */
  public void activeStatus(TargetState state, int status) {
    Healthchecks.Active a = config.active();
    if (status >= 0 && status < 1000 && activeHealthy[status]) {
      state.report(Outcome.SUCCESS, a.successes(), "active check");
    } else if (status >= 0 && status < 1000 && activeUnhealthy[status]) {
      state.report(Outcome.HTTP_FAILURE, a.httpFailures(), "active check", status);
    }
  }

  /** A TCP probe connected. */
  public void activeSuccess(TargetState state) {
    state.report(Outcome.SUCCESS, config.active().successes(), "active check");
  }

  public void activeFailure(TargetState state, boolean timeout) {
    Healthchecks.Active a = config.active();
    if (timeout) {
      state.report(Outcome.TIMEOUT, a.timeouts(), "active check");
    } else {
      state.report(Outcome.TCP_FAILURE, a.tcpFailures(), "active check");
    }
  }
}
