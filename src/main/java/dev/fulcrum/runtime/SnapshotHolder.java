package dev.fulcrum.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The current snapshot: one volatile read per request, one swap per configuration change. */
public final class SnapshotHolder {
  private volatile ConfigSnapshot current = ConfigSnapshot.EMPTY;
  private final Object versionMonitor = new Object();
  private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();

  /** Called (on the configuration thread) with every new snapshot, and now with the current one. */
  public void subscribe(Consumer<ConfigSnapshot> listener) {
    listeners.add(listener);
    listener.accept(current);
  }

  public ConfigSnapshot current() {
    return current;
  }

  public void set(ConfigSnapshot snapshot) {
    synchronized (versionMonitor) {
      current = snapshot;
      versionMonitor.notifyAll();
    }
    for (Consumer<ConfigSnapshot> l : listeners) {
      l.accept(snapshot);
    }
  }

  /**
   * Waits until the snapshot includes change event {@code version}; returns false on timeout. The
   * Admin API calls this after a write so that the change is live when it answers.
   */
  public boolean awaitVersion(long version, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    synchronized (versionMonitor) {
      while (current.version() < version) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(versionMonitor, left);
      }
      return true;
    }
  }
}
