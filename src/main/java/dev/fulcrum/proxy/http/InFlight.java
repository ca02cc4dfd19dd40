package dev.fulcrum.proxy.http;

import dev.fulcrum.metrics.Traffic;
import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Client connections and the requests being served on them, so a stopping node can drain. */
public final class InFlight implements Traffic {
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong totalRequests = new AtomicLong();
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  void opened(Channel ch) {
    accepted.incrementAndGet();
    connections.add(ch);
  }

  void closed(Channel ch) {
    connections.remove(ch);
  }

  void requestStarted() {
    totalRequests.incrementAndGet();
    requests.incrementAndGet();
  }

  void requestEnded() {
    requests.decrementAndGet();
  }

  @Override
  public int requests() {
    return requests.get();
  }

  @Override
  public long accepted() {
    return accepted.get();
  }

  @Override
  public long totalRequests() {
    return totalRequests.get();
  }

  @Override
  public int connections() {
    return connections.size();
  }

  public Set<Channel> channels() {
    return connections;
  }

  /** From now on responses carry Connection: close and idle connections are closed. */
  public void startDraining() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }
}
