package dev.fulcrum.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sits on a listening channel and admits accepted connections only while their
 * {@link ConnectionLimit} has room. At the cap the listener stops accepting, so clients wait in the
 * kernel's backlog as with HAProxy; the few accepted in the same read wait here, unread, and go in
 * first when connections close. The limit can be swapped at reload; a connection gives back the
 * slot of the limit that admitted it.
 */
public final class AcceptGate extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Channel> parked = new ArrayDeque<>();
  private final Runnable waiter = this::slotFreed;
  private final AtomicBoolean admitScheduled = new AtomicBoolean();
  private volatile ConnectionLimit limit;
  /**
   * Connections are parked and accepting paused; only then is the gate subscribed to its limit,
   * so a connection closing under a limit with no one waiting costs nothing more.
   */
  private volatile boolean waiting;
  private volatile ChannelHandlerContext ctx;

  public AcceptGate(ConnectionLimit limit) {
    this.limit = limit;
  }

  /** Connections accepted from now on count against {@code next}. */
  public void limit(ConnectionLimit next) {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      limit = next;
      return;
    }
    c.executor().execute(() -> {
      if (waiting) {
        limit.unsubscribe(waiter);
        next.subscribe(waiter);
      }
      limit = next;
      admitParked();
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (waiting) {
      waiting = false;
      limit.unsubscribe(waiter);
    }
    Channel c;
    while ((c = parked.poll()) != null) {
      c.unsafe().closeForcibly();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    if (parked.isEmpty() && admit(child)) {
      ctx.fireChannelRead(child);
      return;
    }
    parked.add(child);
    if (!waiting) {
      waiting = true;
      ctx.channel().config().setAutoRead(false);
      limit.subscribe(waiter);
      // A slot may have freed between the refused admission and the subscription.
      slotFreed();
    }
  }

  private boolean admit(Channel child) {
    ConnectionLimit l = limit;
    if (!l.tryOpen()) {
      return false;
    }
    child.closeFuture().addListener(f -> l.closed());
    return true;
  }

  /** A slot may have freed up (any thread): admit on the listener's event loop, once at a time. */
  private void slotFreed() {
    ChannelHandlerContext c = ctx;
    if (c != null && waiting && admitScheduled.compareAndSet(false, true)) {
      c.executor().execute(() -> {
        admitScheduled.set(false);
        admitParked();
      });
    }
  }

  private void admitParked() {
    ChannelHandlerContext c = ctx;
    while (!parked.isEmpty() && admit(parked.peek())) {
      c.fireChannelRead(parked.poll());
    }
    if (parked.isEmpty() && waiting) {
      // Accept again; a connection finding the limit still full (a parent's) parks once more.
      waiting = false;
      limit.unsubscribe(waiter);
      if (c.channel().isOpen()) {
        c.channel().config().setAutoRead(true);
      }
    }
  }
}
