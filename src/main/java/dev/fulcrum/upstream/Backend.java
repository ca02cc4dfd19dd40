package dev.fulcrum.upstream;

import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.List;
import dev.fulcrum.metrics.Counters;

/**
 * Servers behind one balancer, with the rules for reaching them: retries and redispatch, timeouts
 * and the queue for when every server is at its maxconn. A haproxy.cfg backend compiles to one;
 * so does a Kong stream service. Immutable; the long-lived part is its {@link BackendState}.
 */
public final class Backend implements Retries.Slots {
  /**
   * Timeouts in milliseconds, 0 for none.
   *
   * @param connect to establish a server connection
   * @param server server inactivity (waiting for a response, reading it)
   * @param tunnel inactivity of an established TCP or upgraded stream, replacing client and server
   * @param queue how long a session may wait for a server slot
   */
  public record Timeouts(long connect, long server, long tunnel, long queue) {}

  /** Tries to take a slot on a picked server before giving up on this pick. */
  private static final int SLOT_ATTEMPTS = 3;

  private final String name;
  private final String algorithm;
  private final List<UpstreamTarget> servers;
  private final Balancer balancer;
  private final RetryPolicy retry;
  private final Timeouts timeouts;
  private final BackendState state;

  public Backend(
      String name, String algorithm, List<UpstreamTarget> servers, Balancer balancer, RetryPolicy retry,
      Timeouts timeouts, BackendState state) {
    this.name = name;
    this.algorithm = algorithm;
    this.servers = List.copyOf(servers);
    this.balancer = balancer;
    this.retry = retry;
    this.timeouts = timeouts;
    this.state = state;
  }

  public String name() {
    return name;
  }

  /** The balance algorithm's name as stats show it ({@code roundrobin}, ...). */
  public String algorithm() {
    return algorithm;
  }

  public List<UpstreamTarget> servers() {
    return servers;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public Timeouts timeouts() {
    return timeouts;
  }

  public BackendState state() {
    return state;
  }

  public Counters counters() {
    return state.counters();
  }

  /**
   * Picks a server and takes one of its connection slots (maxconn is never exceeded, even when
   * event loops race for the last slot). Null when no server can take the session now.
   */
  @Override
  public UpstreamTarget acquire(PickContext context, Avoid avoid) {
    for (int i = 0; i < SLOT_ATTEMPTS; i++) {
      UpstreamTarget t = balancer.pick(context, avoid);
      if (t == null) {
        return null;
      }
      if (t.tryAcquire()) {
        t.state().counters().selected.increment();
        state.counters().selected.increment();
        return t;
      }
    }
    return null;
  }

  /** A retry goes back to {@code failed} (HAProxy's wretr). */
  public void retried(UpstreamTarget failed) {
    failed.state().counters().retries.increment();
    counters().retries.increment();
  }

  /** A session left {@code left} for another server (HAProxy's wredis). */
  @Override
  public void redispatched(UpstreamTarget left) {
    left.state().counters().redispatches.increment();
    counters().redispatches.increment();
  }

  /**
   * A try reached {@code t}: on a new connection after {@code connectMillis}, or on a reused idle
   * one. Like HAProxy, every session that reaches a server adds a sample to the queue and connect
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

  /** Gives a slot back and lets the oldest queued session try again. */
  public void release(UpstreamTarget t) {
    t.state().released();
    BackendQueue q = state.queue();
    if (!q.isEmpty()) {
      q.wake(1);
    }
  }

  /** Whether some server could take traffic, were it not at its maxconn (then queueing helps). */
  public boolean anyUsable() {
    for (UpstreamTarget t : servers) {
      if (t.usable()) {
        return true;
      }
    }
    return false;
  }

  /** Whether more than one active (non-backup) server is usable (HAProxy's srv_act &gt; 1). */
  public boolean severalActive() {
    int n = 0;
    for (UpstreamTarget t : servers) {
      if (!t.options().backup() && t.usable() && ++n > 1) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return name;
  }
}
