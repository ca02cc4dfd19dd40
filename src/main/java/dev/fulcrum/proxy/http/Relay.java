package dev.fulcrum.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;

/**
 * Copies bytes from one connection to its peer after an HTTP upgrade, reading only while the peer
 * keeps up. Closing either side closes the other once written.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  private Relay(Channel peer) {
    this.peer = peer;
  }

  /** Replaces the HTTP handlers of both connections with relays and starts reading. */
  static void join(Channel client, Channel upstream) {
    ChannelPipeline cp = client.pipeline();
    cp.replace("client", "relay", new Relay(upstream));
    cp.remove("codec");
    if (cp.get("head-clock") != null) {
      cp.remove("head-clock");
    }
    ChannelPipeline up = upstream.pipeline();
    up.replace("upstream", "relay", new Relay(client));
    up.remove("codec");
    client.flush();
    upstream.flush();
    client.read();
    upstream.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    peer.write(msg, peer.voidPromise());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
    if (peer.isWritable()) {
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
    peer.close();
  }
}
