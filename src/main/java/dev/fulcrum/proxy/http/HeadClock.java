package dev.fulcrum.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the codec and tells the connection when bytes arrive, so that a request head's
 * timeout (nginx's client_header_timeout, HAProxy's timeout http-request) runs from its first
 * byte: a slow head is cut at that time, however long the connection was idle before.
 */
final class HeadClock extends ChannelInboundHandlerAdapter {
  private final ClientHandler client;

  HeadClock(ClientHandler client) {
    this.client = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    client.bytesArrived();
    ctx.fireChannelRead(msg);
  }
}
