package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cap on concurrent connections (HAProxy's frontend and global {@code maxconn}). At the cap the
 * listeners it governs stop accepting, so further clients wait in the kernel's backlog instead of
 * being refused, and accepting resumes as soon as a connection closes. A frontend's limit has the
 * global one as parent: the global cap pauses every frontend's listeners.
 */
public final class ConnectionLimit {
  private volatile int max;
  private final ConnectionLimit parent;
  private final AtomicInteger current = new AtomicInteger();
  private final Set<Channel> listeners = ConcurrentHashMap.newKeySet();
  private final Set<ConnectionLimit> children = ConcurrentHashMap.newKeySet();
  private volatile boolean paused;

  /** @param max the cap, 0 for none */
  public ConnectionLimit(int max, ConnectionLimit parent) {
    this.max = max;
    this.parent = parent;
    if (parent != null) {
      parent.children.add(this);
    }
  }

  public int max() {
    return max;
  }

  /** Changes the cap at run time ({@code set maxconn}); accepting resumes if now below it. */
  public void setMax(int max) {
    this.max = max;
    if (full()) {
      pause();
    } else if (paused) {
      resume();
    }
  }

  public int current() {
    return current.get();
  }

  /** Puts a listener under this limit (and its parent's). */
  public void govern(Channel listener) {
    listeners.add(listener);
    if (full()) {
      pause();
    }
  }

  /** Takes a listener away (closed at reload); it is left accepting. */
  public void release(Channel listener) {
    listeners.remove(listener);
  }

  /** A connection was accepted. */
  public void opened() {
    int n = current.incrementAndGet();
    if (parent != null) {
      parent.opened();
    }
    if (max > 0 && n >= max) {
      pause();
    }
  }

  public void closed() {
    current.decrementAndGet();
    if (parent != null) {
      parent.closed();
    }
    if (paused) {
      resume();
    }
  }

  private boolean full() {
    return (max > 0 && current.get() >= max) || (parent != null && parent.full());
  }

  private void pause() {
    paused = true;
    for (Channel l : listeners) {
      l.config().setAutoRead(false);
    }
    for (ConnectionLimit c : children) {
      c.pause();
    }
    // A close racing with the pause must not leave the listeners stopped.
    if (!full()) {
      resume();
    }
  }

  private void resume() {
    if (full()) {
      return;
    }
    paused = false;
    for (Channel l : listeners) {
      l.config().setAutoRead(true);
    }
    for (ConnectionLimit c : children) {
      if (c.paused) {
        c.resume();
      }
    }
  }
}
