package dev.fulcrum.upstream;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentLinkedDeque;
import dev.fulcrum.metrics.Counters;

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

    /**
     * Runs on {@link #loop()}: try to get a server again (or wait on at the head of the line).
     * False when the waiter no longer waits: its turn then passes to the next one.
     */
    boolean wake();
  }

  private final ConcurrentLinkedDeque<Waiter> waiting = new ConcurrentLinkedDeque<>();
  private final Counters counters;

  BackendQueue(Counters counters) {
    this.counters = counters;
  }

  public int size() {
    return (int) counters.queued.get();
  }

  public boolean isEmpty() {
    return counters.queued.get() == 0;
  }

  public void add(Waiter w) {
    counters.queueEntered();
    waiting.addLast(w);
  }

  /** Back at the head of the line after losing a slot to another session. */
  public void addFirst(Waiter w) {
    counters.queueEntered();
    waiting.addFirst(w);
  }

  /** Leaves the queue (timeout, client gone); false if it was already woken. */
  public boolean remove(Waiter w) {
    if (waiting.remove(w)) {
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
      counters.queueLeft();
      w.loop().execute(() -> {
        if (!w.wake()) {
          wake(1);
        }
      });
    }
  }
}
