package dev.fulcrum.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection: hands what arrives to the exchange using the
 * connection. An idle pooled connection has none; anything it receives is unexpected and closes
 * it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
  private Exchange exchange;
  private int requests;

  void attach(Exchange e) {
    exchange = e;
    requests++;
  }

  void detach() {
    exchange = null;
  }

  /** Requests this connection has carried. */
  int requests() {
    return requests;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Exchange e = exchange;
    if (e == null) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    e.onUpstreamMessage(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Exchange e = exchange;
    if (e != null) {
      e.onUpstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange e = exchange;
    if (e != null && ctx.channel().isWritable()) {
      e.onUpstreamWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange e = exchange;
    if (e != null) {
      e.onUpstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Exchange e = exchange;
    ctx.close();
    if (e != null) {
      e.onUpstreamClosed(cause);
    }
  }
}
