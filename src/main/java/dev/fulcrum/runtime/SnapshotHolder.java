package dev.fulcrum.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The current snapshot: one volatile read per request, one swap per configuration change. Each
 * configuration source sets its own part (the Kong change feed, the haproxy.cfg loader); the
 * snapshot combines the latest of both.
 */
public final class SnapshotHolder {
  private record Waiter(long version, Runnable then) {}

  private volatile ConfigSnapshot current = ConfigSnapshot.EMPTY;
  private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();
  /** Writes waiting for their change to be served, oldest version first. */
  private final PriorityQueue<Waiter> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.version, b.version));

  public ConfigSnapshot current() {
    return current;
  }

  /**
   * Called (on the thread that sets a part) with every new snapshot, and now with the current
   * one. Listeners must be quick: they hand work to their own threads.
   */
  public void subscribe(Consumer<ConfigSnapshot> listener) {
    listeners.add(listener);
    listener.accept(current);
  }

  public synchronized void setKong(KongPart kong) {
    publish(new ConfigSnapshot(kong, current.haproxy()));
  }

  public synchronized void setHaproxy(HaproxyPart haproxy) {
    publish(new ConfigSnapshot(current.kong(), haproxy));
  }

  private void publish(ConfigSnapshot snapshot) {
    current = snapshot;
    for (Consumer<ConfigSnapshot> l : listeners) {
      l.accept(snapshot);
    }
    List<Runnable> ready = new ArrayList<>();
    while (!waiting.isEmpty() && waiting.peek().version <= snapshot.version()) {
      ready.add(waiting.poll().then);
    }
    ready.forEach(Runnable::run);
  }

  /**
   * Runs {@code then} once the snapshot includes Kong change event {@code version}: at once if it
   * does already, else on the thread that applies it. The Admin API answers a write this way, so
   * that the change is live when it answers, without a thread waiting for it.
   */
  public void whenApplied(long version, Runnable then) {
    synchronized (this) {
      if (current.version() < version) {
        waiting.add(new Waiter(version, then));
        return;
      }
    }
    then.run();
  }
}
