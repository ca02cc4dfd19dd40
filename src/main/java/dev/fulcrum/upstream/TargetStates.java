package dev.fulcrum.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The node's registry of {@link TargetState}s. A state no snapshot uses is kept for a while
 * (Kong keeps health 300 s across a balancer rebuild), so removing and re-adding a target, or a
 * burst of edits, does not lose what the node learned.
 */
public final class TargetStates {
  private static final long RETAIN_NANOS = TimeUnit.SECONDS.toNanos(300);

  private final ConcurrentHashMap<String, TargetState> states = new ConcurrentHashMap<>();

  public static String key(String upstreamId, String target) {
    return upstreamId + "|" + target;
  }

  /** The state of a target, created healthy on first use (Kong: targets start healthy). */
  public TargetState get(String upstreamId, String upstreamName, String target) {
    TargetState s =
        states.computeIfAbsent(
            key(upstreamId, target), k -> new TargetState(k, "upstream " + upstreamName + " target " + target));
    s.seen();
    return s;
  }

  /**
   * The state of a haproxy.cfg server, logged as HAProxy names it ({@code backend/server}).
   * The address is part of the key: a server moved elsewhere starts afresh.
   */
  public TargetState server(String backend, String server, String address) {
    TargetState s =
        states.computeIfAbsent(
            "haproxy/" + backend + "|" + server + "@" + address, k -> new TargetState(k, backend + "/" + server, true));
    s.seen();
    return s;
  }

  public TargetState find(String upstreamId, String target) {
    return states.get(key(upstreamId, target));
  }

  /** Forgets states not in {@code live} that nobody has used for the retention period. */
  public void sweep(Set<String> live) {
    long now = System.nanoTime();
    states.values().removeIf(s -> !live.contains(s.key()) && now - s.lastSeenNanos() > RETAIN_NANOS);
  }

  public int size() {
    return states.size();
  }
}
