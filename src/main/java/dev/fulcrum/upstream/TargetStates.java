package dev.fulcrum.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's one registry of {@link TargetState}s and {@link BackendState}s, for both dialects.
 * Keys name the backend and the target ({@code upstreamId|host:port} for Kong, {@code
 * haproxy/backend|server@address} for a haproxy.cfg). A state no snapshot uses is kept for a
 * while (Kong keeps health 300 s across a balancer rebuild), so removing and re-adding a target,
 * or a burst of edits, does not lose what the node learned.
 */
public final class TargetStates {
  private static final long RETAIN_NANOS = TimeUnit.SECONDS.toNanos(300);

  private final ConcurrentHashMap<String, TargetState> states = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, BackendState> backends = new ConcurrentHashMap<>();

  /** The key of a Kong target's state. */
  public static String key(String upstreamId, String target) {
    return upstreamId + "|" + target;
  }

  /** The state under {@code key}, created healthy on first use (Kong: targets start healthy). */
  public TargetState get(String key) {
    TargetState s = states.computeIfAbsent(key, TargetState::new);
    s.seen();
    return s;
  }

  /** A Kong target's state. */
  public TargetState get(String upstreamId, String target) {
    return get(key(upstreamId, target));
  }

  /**
   * The state of a haproxy.cfg server. The address is part of the key: a server moved elsewhere
   * starts afresh.
   */
  public TargetState server(String backend, String server, String address) {
    return get("haproxy/" + backend + "|" + server + "@" + address);
  }

  public TargetState find(String key) {
    return states.get(key);
  }

  /** A backend's counters and queue, by a key of the configuration's choosing. */
  public BackendState backend(String key) {
    return backends.computeIfAbsent(key, k -> new BackendState());
  }

  /** Forgets target states not in {@code live} that nobody has used for the retention period. */
  public void sweep(Set<String> live) {
    long now = System.nanoTime();
    states.values().removeIf(s -> !live.contains(s.key()) && now - s.lastSeenNanos() > RETAIN_NANOS);
  }

  public int size() {
    return states.size();
  }
}
