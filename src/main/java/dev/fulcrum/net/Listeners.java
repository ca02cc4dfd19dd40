package dev.fulcrum.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listening TCP sockets of one node, opened the way every listener wants them, and handed
 * over to a new node on restart without a refused connection.
 *
 * <p>Every socket joins its port's SO_REUSEPORT group. A node started afresh first makes sure no
 * one else listens on the port (as a bind without SO_REUSEPORT would) and steers the group to its
 * own socket; a node started by {@code fulcrum restart} ({@code joining}) binds next to the
 * running node's sockets, receives nothing until {@link #takeTraffic()}, and steers the group to
 * itself only then (see {@link ReuseportSteering}).
 */
public final class Listeners {
  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  /**
   * Write buffer limits of every proxied connection: above the high mark a channel is unwritable
   * and its peer stops reading until it drains below the low mark.
   */
  public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

  private final Set<Channel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean joining;

  /** @param joining whether this node takes over the ports of a node still running */
  public Listeners(boolean joining) {
    this.joining = joining;
  }

  /** Whether this process can take over a running node's ports (a native transport). */
  public static boolean canTakeOver() {
    return ReuseportSteering.supported();
  }

  /**
   * Binds {@code host:port}; accepted connections start with auto-read {@code autoRead} (off for
   * proxies, which read only when they can pass data on).
   *
   * @param gate admits accepted connections (connection limits), or null
   * @throws IllegalStateException naming the address and the reason when the bind fails
   */
  public Channel bind(
      EventLoopGroup group, String host, int port, int backlog, boolean autoRead, ChannelHandler gate,
      ChannelHandler childHandler) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group, group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, backlog)
            .childOption(ChannelOption.AUTO_READ, autoRead)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childHandler(childHandler);
    if (gate != null) {
      b.handler(gate);
    }
    return bind(b, new InetSocketAddress(host, port));
  }

  /**
   * Binds a server bootstrap whose group, channel and handlers are set.
   *
   * @throws IllegalStateException naming the address and the reason when the bind fails
   */
  public Channel bind(ServerBootstrap b, InetSocketAddress address) {
    String where = (address.getHostString().indexOf(':') >= 0 ? "[" + address.getHostString() + "]"
        : address.getHostString()) + ":" + address.getPort();
    b.option(ChannelOption.SO_REUSEADDR, true);
    if (Transport.reusePort() != null) {
      b.option(Transport.reusePort(), true);
    }
    boolean join = joining;
    if (!join) {
      ensureFree(address, where);
    }
    Channel ch;
    try {
      ch = b.bind(address).syncUninterruptibly().channel();
    } catch (Exception e) {
      throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
    open.add(ch);
    ch.closeFuture().addListener(f -> open.remove(ch));
    if (!join && ReuseportSteering.supported()) {
      steer(List.of(ch), 0);
    }
    return ch;
  }

  /**
   * SO_REUSEPORT would let a second node bind a port in use without a word; a plain bind first
   * fails as it should when anything listens there.
   */
  private static void ensureFree(InetSocketAddress address, String where) {
    if (address.getPort() == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(address, 1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
  }

  /**
   * A joining node is ready: new connections of every port come to its sockets from now on (the
   * running node's sockets stay open until that node closes them).
   */
  public void takeTraffic() {
    joining = false;
    steer(open, 1);
  }

  /**
   * The node taken over has closed its sockets, so this node's are first in their groups again:
   * the steering says so, ready for the next restart.
   */
  public void predecessorGone() {
    steer(open, 0);
  }

  private static void steer(Iterable<Channel> channels, int index) {
    for (Channel ch : channels) {
      try {
        ReuseportSteering.steer(ch, index);
      } catch (IOException | RuntimeException e) {
        // Without steering the kernel spreads connections by hash: a restart may then reset the
        // few connections queued on the closing socket, nothing else changes.
        LOG.warn("cannot steer connections of {}: {}", ch.localAddress(), e.getMessage());
      }
    }
  }
}
