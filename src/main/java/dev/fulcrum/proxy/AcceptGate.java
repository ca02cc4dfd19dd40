package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayDeque;

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
  private volatile ConnectionLimit limit;
  /** Connections parked or accepting paused: only then does a freed slot concern this gate. */
  private volatile boolean waiting;
  private ChannelHandlerContext ctx;

  public AcceptGate(ConnectionLimit limit) {
    this.limit = limit;
  }

  /** Connections accepted from now on count against {@code next}. */
  public void limit(ConnectionLimit next) {
    ConnectionLimit old = limit;
    limit = next;
    if (ctx != null) {
      old.unsubscribe(waiter);
      next.subscribe(waiter);
      slotFreed();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    limit.subscribe(waiter);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    limit.unsubscribe(waiter);
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
    waiting = true;
    ctx.channel().config().setAutoRead(false);
  }

  private boolean admit(Channel child) {
    ConnectionLimit l = limit;
    if (!l.tryOpen()) {
      return false;
    }
    child.closeFuture().addListener(f -> l.closed());
    return true;
  }

  private void slotFreed() {
    ChannelHandlerContext c = ctx;
    if (c == null || !waiting) {
      return;
    }
    c.executor().execute(() -> {
      while (!parked.isEmpty() && limit.tryOpen()) {
        Channel child = parked.poll();
        ConnectionLimit l = limit;
        child.closeFuture().addListener(f -> l.closed());
        c.fireChannelRead(child);
      }
      if (parked.isEmpty() && waiting) {
        // Accept again; a connection finding the limit still full (a parent's) parks once more.
        waiting = false;
        if (c.channel().isOpen()) {
          c.channel().config().setAutoRead(true);
        }
      }
    });
  }
}
