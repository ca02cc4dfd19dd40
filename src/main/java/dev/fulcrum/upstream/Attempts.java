package dev.fulcrum.upstream;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The tries of one request or TCP session at its destination: the balance/connect phase both
 * proxies share. It picks a server and takes a slot on it, waits in the backend's queue while
 * every usable server is at its maxconn (HAProxy's queue), and after a failed try decides by the
 * retry policy whether and where to try again, after HAProxy's turn-around delay when the try
 * stays on the same server. It counts what HAProxy's stats count (connect errors, retries,
 * redispatches, queue and connect times). The owner does the I/O; all of it runs on the owner's
 * event loop.
 */
public final class Attempts implements BackendQueue.Waiter {
  /** The request or session being served. */
  public interface Owner extends PickContext {
    EventLoop loop();

    /** A server with a slot taken for this try: connect to it (or reuse a pooled connection). */
    void tryAt(UpstreamTarget target);

    /**
     * No try can be made: no server is usable, the queue timed out, or {@code failure} ended the
     * last try and no other is allowed. {@code failure} is null when no try was made at all.
     */
    void unavailable(ProxyFailure failure);
  }

  private final Destination destination;
  private final Backend backend;
  private final Retries retries;
  private final Owner owner;
  /** The server holding this request's slot, or null. */
  private UpstreamTarget current;
  private UpstreamTarget last;
  private ProxyFailure lastFailure;
  private boolean queued;
  private long queuedSinceNanos;
  private long queueMillis;
  private long tryStartNanos;
  /** The queue timeout, or the turn-around delay before the next try. */
  private ScheduledFuture<?> timer;
  private boolean closed;

  public Attempts(Destination destination, Owner owner) {
    this.destination = destination;
    this.backend = destination.backend();
    this.retries = new Retries(destination.retry());
    this.owner = owner;
  }

  /** Makes the next try: a server now, a place in the queue, or {@link Owner#unavailable}. */
  public void next() {
    if (closed) {
      return;
    }
    tryStartNanos = System.nanoTime();
    UpstreamTarget t = retries.acquire(backend, owner);
    if (t == null) {
      if (backend.queueable()) {
        enqueue();
        return;
      }
      leaveQueue();
      giveUp(lastFailure);
      return;
    }
    leaveQueue();
    current = t;
    last = t;
    owner.tryAt(t);
  }

  /** The server of the try in progress (holding a slot), or null. */
  public UpstreamTarget current() {
    return current;
  }

  /** The server of the last try, whether or not it still holds a slot; null before any. */
  public UpstreamTarget last() {
    return last;
  }

  public ProxyFailure lastFailure() {
    return lastFailure;
  }

  /** When the current try started (picking, then connecting), for connect times and latencies. */
  public long tryStartNanos() {
    return tryStartNanos;
  }

  /** The current try reached its server, on a new connection or a reused one. */
  public void connected(boolean reused) {
    long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tryStartNanos);
    backend.connected(current, queueMillis, connectMillis, reused);
  }

  /**
   * The current try failed. Returns true when another try follows (at once, or after the
   * turn-around delay: the owner waits for {@link Owner#tryAt}); false when the owner must give
   * up with {@code failure}.
   *
   * @param resendable whether the request can go again: nothing of it or of a response is lost,
   *     and it may be sent twice (never sent, or the policy does not mind)
   * @param stale a pooled connection the server had closed: no fault of the server and no try
   *     of its own
   * @param refused a new connection was refused (HAProxy waits before the same server again)
   */
  public boolean failed(ProxyFailure failure, boolean resendable, boolean stale, boolean refused) {
    UpstreamTarget failed = current;
    current = null;
    lastFailure = failure;
    if (failed != null && !stale) {
      backend.failed(failed, failure);
    }
    boolean failedRunning = failed != null && failed.usable();
    if (failed != null) {
      backend.release(failed);
    }
    RetryPolicy policy = destination.retry();
    if (closed || !resendable || !(stale || (policy.retries(failure) && retries.remaining()))) {
      countFailure(failure, failed);
      return false;
    }
    boolean severalActive = backend.severalActive();
    boolean redispatch;
    if (stale) {
      // A server closing an idle connection as we reused it is no try of its own.
      redispatch = true;
      if (failed != null) {
        retries.avoidFromNowOn(failed);
      }
    } else {
      redispatch = retries.next(failed, failedRunning, severalActive);
      if (failed != null && !redispatch) {
        backend.retried(failed);
      }
    }
    long delay = retries.delayMillis(redispatch, severalActive, refused);
    if (delay > 0) {
      timer = owner.loop().schedule(this::afterDelay, delay, TimeUnit.MILLISECONDS);
    } else {
      next();
    }
    return true;
  }

  private void afterDelay() {
    timer = null;
    next();
  }

  /** The request is over with its server (response complete, or aborted): the slot goes back. */
  public void done() {
    UpstreamTarget t = current;
    if (t != null) {
      current = null;
      backend.release(t);
    }
  }

  /** The request or session ended: out of the queue, no more tries, the slot given back. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    leaveQueue();
    cancelTimer();
    done();
  }

  /** Whether the policy still allows a retry. */
  public boolean remaining() {
    return retries.remaining();
  }

  public boolean queued() {
    return queued;
  }

  /** How long the request waited in the queue. */
  public long queueMillis() {
    return queueMillis;
  }

  private void giveUp(ProxyFailure failure) {
    countFailure(failure, last);
    owner.unavailable(failure);
  }

  /** HAProxy's econ: no server at all, a queue timeout, or a last try that could not connect. */
  private void countFailure(ProxyFailure failure, UpstreamTarget target) {
    if (failure == null) {
      backend.counters().connectErrors.increment();
    } else if (failure.beforeSend()) {
      backend.counters().connectErrors.increment();
      if (target != null) {
        target.state().counters().connectErrors.increment();
      }
    }
  }

  // ------------------------------------------------------------------ queue

  /** Waits for a slot; a request woken too late goes back to the head of the line. */
  private void enqueue() {
    BackendQueue q = backend.state().queue();
    if (queued) {
      q.addFirst(this);
      return;
    }
    queued = true;
    queuedSinceNanos = System.nanoTime();
    q.add(this);
    long t = destination.timeouts().queue();
    if (t > 0) {
      timer = owner.loop().schedule(this::queueTimeout, t, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public EventLoop loop() {
    return owner.loop();
  }

  @Override
  public boolean wake() {
    if (closed || !queued) {
      return false;
    }
    next();
    return true;
  }

  /** Out of the queue (served, or given up): its timer goes, the time it waited is kept. */
  private void leaveQueue() {
    if (queued) {
      queued = false;
      backend.state().queue().remove(this);
      cancelTimer();
      queueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedSinceNanos);
    }
  }

  private void queueTimeout() {
    timer = null;
    if (queued && backend.state().queue().remove(this)) {
      queued = false;
      queueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedSinceNanos);
      backend.counters().connectErrors.increment();
      owner.unavailable(null);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
