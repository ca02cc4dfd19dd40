package dev.fulcrum.upstream;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.Dialect;
import java.util.List;

/**
 * Servers behind one balancer: a Kong upstream (or the one host of a service), or a haproxy.cfg
 * backend; the same type at run time, so the Admin API and the runtime API are two views of it.
 * Immutable; what outlives a snapshot is in its {@link BackendState} and its targets'
 * {@link TargetState}s. Everything that changes a target's health or admin state goes through
 * here, so the balancer is updated, the change is logged in the dialect's words, and queued
 * requests learn of new capacity.
 */
public final class Backend implements Retries.Slots {
  /** Tries to take a slot on a picked server before giving up on this pick. */
  private static final int SLOT_ATTEMPTS = 3;

  /**
   * What a backend is besides its servers.
   *
   * @param health Kong's health-check rules, or {@link HealthRules#OFF}
   * @param fullconn HAProxy's fullconn (the backend's session limit in stats)
   * @param staticWeights a static algorithm (static-rr, map-based hash): weights only 0% or 100%
   */
  public record Spec(
      String name, Dialect dialect, Algorithm algorithm, HealthRules health, int fullconn,
      boolean staticWeights) {}

  private final Spec spec;
  private final List<UpstreamTarget> targets;
  private final Balancer balancer;
  private final BackendState state;
  private final ServerEvents events;
  private final boolean measuresLatency;
  private final boolean threshold;

  public Backend(Spec spec, List<UpstreamTarget> targets, Balancer balancer, BackendState state, ServerEvents events) {
    this.spec = spec;
    this.targets = List.copyOf(targets);
    this.balancer = balancer;
    this.state = state;
    this.events = events;
    this.measuresLatency = spec.algorithm() == Algorithm.LATENCY;
    this.threshold = spec.health().threshold() > 0;
  }

  public String name() {
    return spec.name();
  }

  public Dialect dialect() {
    return spec.dialect();
  }

  public Algorithm algorithm() {
    return spec.algorithm();
  }

  public HealthRules health() {
    return spec.health();
  }

  public int fullconn() {
    return spec.fullconn();
  }

  public boolean staticWeights() {
    return spec.staticWeights();
  }

  public List<UpstreamTarget> targets() {
    return targets;
  }

  public BackendState state() {
    return state;
  }

  public Counters counters() {
    return state.counters();
  }

  /** The target whose {@code host:port} is {@code target}, or null. */
  public UpstreamTarget target(String target) {
    for (UpstreamTarget t : targets) {
      if (t.target().equals(target)) {
        return t;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ picks

  /**
   * Picks a server and takes one of its connection slots (maxconn is never exceeded, even when
   * event loops race for the last slot). Null when no server can take the request now, or when a
   * Kong upstream's usable weight is not above its threshold (Kong answers 503 then).
   */
  @Override
  public UpstreamTarget acquire(PickContext context, Avoid avoid) {
    if (threshold && !healthy()) {
      return null;
    }
    for (int i = 0; i < SLOT_ATTEMPTS; i++) {
      UpstreamTarget t = balancer.pick(context, avoid);
      if (t == null) {
        return null;
      }
      if (t.tryAcquire()) {
        taken(t);
        return t;
      }
    }
    return null;
  }

  /** Takes a slot on {@code t} again, for a retry pinned to it; false when it cannot now. */
  @Override
  public boolean acquireAgain(UpstreamTarget t) {
    if (!t.tryAcquire()) {
      return false;
    }
    t.state().counters().opened();
    return true;
  }

  private void taken(UpstreamTarget t) {
    Counters c = t.state().counters();
    c.selected.increment();
    c.opened();
    state.counters().selected.increment();
  }

  /** Gives a slot back and lets the oldest queued request try again. */
  public void release(UpstreamTarget t) {
    t.state().released();
    t.state().counters().closed();
    BackendQueue q = state.queue();
    if (!q.isEmpty()) {
      q.wake(1);
    }
  }

  /** A retry goes back to {@code failed} (HAProxy's wretr). */
  public void retried(UpstreamTarget failed) {
    failed.state().counters().retries.increment();
    counters().retries.increment();
  }

  /** A request left {@code left} for another server (HAProxy's wredis). */
  @Override
  public void redispatched(UpstreamTarget left) {
    left.state().counters().redispatches.increment();
    counters().redispatches.increment();
  }

  /**
   * A try reached {@code t}: on a new connection after {@code connectMillis}, or on a reused idle
   * one. Like HAProxy, every request that reaches a server adds a sample to the queue and connect
   * time averages, 0 when it did not wait.
   */
  public void connected(UpstreamTarget t, long queueMillis, long connectMillis, boolean reused) {
    connected(t.state().counters(), queueMillis, connectMillis, reused);
    connected(counters(), queueMillis, connectMillis, reused);
  }

  private static void connected(Counters c, long queueMillis, long connectMillis, boolean reused) {
    (reused ? c.reuses : c.connects).increment();
    c.queueTime.add(queueMillis);
    c.connectTime.add(reused ? 0 : connectMillis);
  }

  /**
   * Whether a request no server took now should wait in the queue: some server could take it were
   * it not at its maxconn (HAProxy). A Kong upstream below its health threshold refuses instead.
   */
  public boolean queueable() {
    return anyUsable() && (!threshold || healthy());
  }

  /** Whether some server may be picked at all. */
  public boolean anyUsable() {
    for (UpstreamTarget t : targets) {
      if (t.usable()) {
        return true;
      }
    }
    return false;
  }

  /** Whether more than one active (non-backup) server is usable (HAProxy's srv_act &gt; 1). */
  public boolean severalActive() {
    int n = 0;
    for (UpstreamTarget t : targets) {
      if (!t.options().backup() && t.usable() && ++n > 1) {
        return true;
      }
    }
    return false;
  }

  /**
   * Kong's upstream health: usable weight as a share of total weight must exceed the threshold
   * (percent); no weight at all means unhealthy.
   */
  public boolean healthy() {
    long total = 0;
    long available = 0;
    for (UpstreamTarget t : targets) {
      total += t.weight();
      if (t.usable()) {
        available += t.weight();
      }
    }
    return total > 0 && available * 100.0 / total > spec.health().threshold();
  }

  // --------------------------------------------------------- what happened

  /** The response head of a try at {@code t} arrived, {@code tryNanos} after it was sent. */
  public void responded(UpstreamTarget t, int status, long tryNanos) {
    if (measuresLatency) {
      t.state().latency().record(tryNanos, System.nanoTime());
    }
    long ms = tryNanos / 1_000_000;
    Counters c = t.state().counters();
    c.response(status);
    c.requests.increment();
    c.responseTime.add(ms);
    counters().response(status);
    counters().responseTime.add(ms);
    if (spec.health().passiveStatus(t.state(), status)) {
      healthChanged(t);
    }
  }

  /** A try at {@code t} failed (not a stale pooled connection: that is no fault of the target). */
  public void failed(UpstreamTarget t, ProxyFailure failure) {
    if (!failure.beforeSend()) {
      t.state().counters().responseErrors.increment();
      counters().responseErrors.increment();
    }
    if (spec.health().passiveFailure(t.state(), failure.timeout())) {
      healthChanged(t);
    }
  }

  /** A Kong active probe of {@code t} got an HTTP response. */
  public void probedStatus(UpstreamTarget t, int status) {
    if (spec.health().activeStatus(t.state(), status)) {
      healthChanged(t);
    }
  }

  /** A Kong active TCP probe of {@code t} connected. */
  public void probedConnected(UpstreamTarget t) {
    if (spec.health().activeSuccess(t.state())) {
      healthChanged(t);
    }
  }

  /** A Kong active probe of {@code t} failed or timed out. */
  public void probeFailed(UpstreamTarget t, boolean timeout) {
    if (spec.health().activeFailure(t.state(), timeout)) {
      healthChanged(t);
    }
  }

  /**
   * A HAProxy check of {@code t} ended (src/check.c): moves its check health, and with {@code
   * stopping} (disable-on-404) its NOLB flag.
   */
  public void checked(
      UpstreamTarget t, boolean passed, boolean stopping, String status, String desc, String info, int code,
      long durationMillis) {
    CheckSpec c = t.options().check();
    TargetState st = t.state();
    boolean wasStopping = st.has(TargetState.STOPPING);
    int verdict = st.check().report(passed, c.rise(), c.fall(), status, desc, info, code, durationMillis);
    boolean changed = verdict != 0 && st.setUp(verdict > 0, st.check().reason());
    if (passed && stopping != wasStopping && st.check().health() >= c.rise()) {
      st.setFlag(TargetState.STOPPING, stopping);
      changed = true;
    }
    if (changed) {
      healthChanged(t);
    }
  }

  /** The Admin API set the health of {@code t} ({@code PUT .../healthy|unhealthy}). */
  public void setHealth(UpstreamTarget t, boolean up, String reason) {
    if (t.state().setHealth(up, reason)) {
      healthChanged(t);
    }
  }

  /** A target went up or down by its health: log it, tell the balancer, wake or shut sessions. */
  private void healthChanged(UpstreamTarget t) {
    boolean up = t.usable();
    HealthLog.transition(this, t, up, t.state().lastReason());
    if (up) {
      cameUp(t);
    } else {
      wentDown(t);
    }
  }

  /** An operator changed {@code t} (runtime API): log it as HAProxy does and react. */
  public void serverChanged(UpstreamTarget t, ServerChange change) {
    HealthLog.operator(this, t, change);
    switch (change) {
      case ENTER_MAINT:
      case HEALTH_DOWN:
        wentDown(t);
        return;
      case LEAVE_MAINT:
        if (t.checked()) {
          // "Start OK but check immediately" (HAProxy resets the check health to rise).
          t.state().forceCheckHealth(t.options().check().rise(), true, "leaving forced maintenance");
        }
        t.state().restarted();
        events.leftMaintenance(this, t);
        cameUp(t);
        return;
      default:
        cameUp(t);
    }
  }

  private void wentDown(UpstreamTarget t) {
    if (t.options().shutdownSessionsOnDown()) {
      state.closeSessions(t.options().name());
    }
    record();
    balancer.update();
  }

  private void cameUp(UpstreamTarget t) {
    record();
    balancer.update();
    int queued = state.queue().size();
    if (queued > 0) {
      state.queue().wake(queued);
    }
    if (t.usable()) {
      events.cameUp(this, t);
    }
  }

  /** Rebuilds the balancer's layout (a slowstart ramp moved a weight). */
  public void update() {
    balancer.update();
  }

  /** Keeps the backend's own up/down record; says so when nothing is left. */
  private void record() {
    boolean any = anyUsable();
    if (state.setUp(any) && !any) {
      HealthLog.noServerLeft(this);
    }
  }

  @Override
  public String toString() {
    return spec.name();
  }
}
