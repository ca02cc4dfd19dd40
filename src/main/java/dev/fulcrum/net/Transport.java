package dev.fulcrum.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.socket.SocketProtocolFamily;
import java.nio.channels.spi.SelectorProvider;
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

/** Epoll on Linux, NIO elsewhere. */
public final class Transport {
  private static final boolean EPOLL =
      Epoll.isAvailable() && !Boolean.getBoolean("fulcrum.nio");

  private Transport() {}

  public static boolean epoll() {
    return EPOLL;
  }

  public static EventLoopGroup group(int threads, String name) {
    IoHandlerFactory io = EPOLL ? EpollRegistrations.wrap(EpollIoHandler.newFactory()) : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends Channel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * New client sockets of the family of the address they will connect to: an IPv4 socket for an
   * IPv4 server saves the dual-stack set-up of an IPv6 one. Netty's sockets default to TCP_NODELAY.
   */
  public static ChannelFactory<? extends Channel> socketFactory(boolean ipv4) {
    SocketProtocolFamily family = ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    return EPOLL ? () -> new EpollSocketChannel(family) : () -> new NioSocketChannel(SelectorProvider.provider(), family);
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
