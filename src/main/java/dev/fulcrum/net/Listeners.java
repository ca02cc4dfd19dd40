package dev.fulcrum.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;

/** Opens listening sockets the way every proxy listener of a node wants them. */
public final class Listeners {
  /**
   * Write buffer limits of every proxied connection: above the high mark a channel is unwritable
   * and its peer stops reading until it drains below the low mark.
   */
  public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

  private Listeners() {}

  /**
   * Binds {@code host:port}; accepted connections start with auto-read {@code autoRead} (off for
   * proxies, which read only when they can pass data on).
   *
   * @throws IllegalStateException naming the address and the reason when the bind fails
   */
  public static Channel bind(
      EventLoopGroup group, String host, int port, int backlog, boolean reuseport, boolean autoRead,
      ChannelHandler childHandler) {
    return bind(group, host, port, backlog, reuseport, autoRead, null, childHandler);
  }

  /** @param gate admits accepted connections (connection limits), or null */
  public static Channel bind(
      EventLoopGroup group, String host, int port, int backlog, boolean reuseport, boolean autoRead,
      ChannelHandler gate, ChannelHandler childHandler) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group, group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, backlog)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, autoRead)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(childHandler);
    if (gate != null) {
      b.handler(gate);
    }
    if (reuseport && Transport.reusePort() != null) {
      b.option(Transport.reusePort(), true);
    }
    try {
      return b.bind(new InetSocketAddress(host, port)).syncUninterruptibly().channel();
    } catch (Exception e) {
      String where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
      throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
  }
}
