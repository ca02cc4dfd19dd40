package dev.fulcrum.upstream;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sessions waiting for a server slot when every usable server is at its maxconn (HAProxy's
 * backend queue, src/queue.c). First in, first out; a slot freed anywhere wakes the oldest waiter
 * on its own event loop, which then picks again. A waiter that loses the race goes back to the
 * head of the line.
 */
public final class BackendQueue {
  /** A session waiting in the queue. */
  public interface Waiter {
    EventLoop loop();

    /** Runs on {@link #loop()}: try to get a server again. */
    void wake();
  }

  private final ConcurrentLinkedDeque<Waiter> waiting = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final Counters counters;

  BackendQueue(Counters counters) {
    this.counters = counters;
  }

  public int size() {
    return size.get();
  }

  public boolean isEmpty() {
    return size.get() == 0;
  }

  public void add(Waiter w) {
    size.incrementAndGet();
    counters.queueEntered();
    waiting.addLast(w);
  }

  /** Back at the head of the line after losing a slot to another session. */
  public void addFirst(Waiter w) {
    size.incrementAndGet();
    counters.queueEntered();
    waiting.addFirst(w);
  }

  /** Leaves the queue (timeout, client gone); false if it was already woken. */
  public boolean remove(Waiter w) {
    if (waiting.remove(w)) {
      size.decrementAndGet();
      counters.queueLeft();
      return true;
    }
    return false;
  }

  /** Wakes up to {@code n} waiters, oldest first. */
  public void wake(int n) {
    for (int i = 0; i < n; i++) {
      Waiter w = waiting.pollFirst();
      if (w == null) {
        return;
      }
      size.decrementAndGet();
      counters.queueLeft();
      w.loop().execute(w::wake);
    }
  }
}
