package dev.fulcrum.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Epoll on Linux (splice, edge-triggered I/O), NIO elsewhere. */
public final class Transport {
  private static final boolean EPOLL =
      Epoll.isAvailable() && !Boolean.getBoolean("fulcrum.nio");

  private Transport() {}

  public static boolean epoll() {
    return EPOLL;
  }

  public static EventLoopGroup group(int threads, String name) {
    IoHandlerFactory io = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends Channel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** A listening UNIX stream socket. */
  public static Class<? extends ServerChannel> serverDomainChannel() {
    return EPOLL ? io.netty.channel.epoll.EpollServerDomainSocketChannel.class
        : io.netty.channel.socket.nio.NioServerDomainSocketChannel.class;
  }

  /** The address of a UNIX socket file for {@link #serverDomainChannel()}. */
  public static java.net.SocketAddress domainAddress(java.nio.file.Path path) {
    return EPOLL ? new io.netty.channel.unix.DomainSocketAddress(path.toFile())
        : java.net.UnixDomainSocketAddress.of(path);
  }

  public static Class<? extends DatagramChannel> datagramChannel() {
    return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }
}
