package dev.fulcrum.net;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cap on concurrent connections (HAProxy's global, frontend and bind {@code maxconn}). Limits
 * nest: a bind's has its frontend's as parent, a frontend's the global one; a connection takes a
 * slot in each. The {@link AcceptGate}s of the listeners under a limit hold connections back while
 * it is full and let them in as slots free up.
 */
public final class ConnectionLimit {
  private volatile int max;
  private final ConnectionLimit parent;
  private final AtomicInteger current = new AtomicInteger();
  private final Set<Runnable> waiters = ConcurrentHashMap.newKeySet();

  /** @param max the cap, 0 for none */
  public ConnectionLimit(int max, ConnectionLimit parent) {
    this.max = max;
    this.parent = parent;
  }

  public int max() {
    return max;
  }

  public int current() {
    return current.get();
  }

  /** Changes the cap at run time ({@code set maxconn}); waiting connections may enter now. */
  public void setMax(int max) {
    this.max = max;
    freed();
  }

  /** Takes a slot here and in every parent, or none if one of them is full. */
  public boolean tryOpen() {
    int n;
    do {
      n = current.get();
      int m = max;
      if (m > 0 && n >= m) {
        return false;
      }
    } while (!current.compareAndSet(n, n + 1));
    if (parent != null && !parent.tryOpen()) {
      current.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Gives a slot back (here and in the parents). */
  public void closed() {
    current.decrementAndGet();
    if (parent != null) {
      parent.closed();
    }
    freed();
  }

  private void freed() {
    if (!waiters.isEmpty()) {
      for (Runnable w : waiters) {
        w.run();
      }
    }
  }

  /** {@code waiter} runs whenever a slot may have freed up here or in a parent. */
  void subscribe(Runnable waiter) {
    waiters.add(waiter);
    if (parent != null) {
      parent.subscribe(waiter);
    }
  }

  void unsubscribe(Runnable waiter) {
    waiters.remove(waiter);
    if (parent != null) {
      parent.unsubscribe(waiter);
    }
  }
}
