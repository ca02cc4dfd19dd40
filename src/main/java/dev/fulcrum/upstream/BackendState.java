package dev.fulcrum.upstream;

import dev.fulcrum.metrics.Counters;
import io.netty.channel.Channel;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a node knows about one backend over time: its counters, its queue, when it last went down
 * and which sessions each server carries (for {@code on-marked-down shutdown-sessions}). Like
 * {@link TargetState} it outlives configuration snapshots.
 */
public final class BackendState {
  private final Counters counters = new Counters();
  private final BackendQueue queue = new BackendQueue(counters);
  private final AtomicLong downTransitions = new AtomicLong();
  private final Map<String, Set<Channel>> sessions = new ConcurrentHashMap<>();
  private volatile boolean up = true;
  private volatile long lastChangeMillis = System.currentTimeMillis();
  private volatile long downSinceMillis;
  private volatile long downtimeMillis;

  public Counters counters() {
    return counters;
  }

  public BackendQueue queue() {
    return queue;
  }

  /** Records whether any server is usable; counts the backend's own down transitions. */
  synchronized boolean setUp(boolean nowUp) {
    if (nowUp == up) {
      return false;
    }
    long now = System.currentTimeMillis();
    up = nowUp;
    lastChangeMillis = now;
    if (nowUp) {
      downtimeMillis += now - downSinceMillis;
    } else {
      downTransitions.incrementAndGet();
      downSinceMillis = now;
    }
    return true;
  }

  public long downTransitions() {
    return downTransitions.get();
  }

  public long lastChangeMillis() {
    return lastChangeMillis;
  }

  public long downtimeSeconds() {
    long total = downtimeMillis;
    if (!up) {
      total += System.currentTimeMillis() - downSinceMillis;
    }
    return total / 1000;
  }

  /** The sessions a server carries now (tracked only for servers that shut them down). */
  public Set<Channel> sessions(String server) {
    return sessions.computeIfAbsent(server, k -> ConcurrentHashMap.newKeySet());
  }

  void closeSessions(String server) {
    for (Channel ch : sessions(server)) {
      ch.close();
    }
  }
}
