package dev.fulcrum.net;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The I/O transport of every loop and socket of the node: io_uring where the kernel offers it,
 * else epoll on Linux, else NIO. The {@code fulcrum.transport} system property chooses otherwise
 * ({@code FULCRUM_JAVA_OPTS=-Dfulcrum.transport=epoll}): {@code auto}, {@code io_uring},
 * {@code epoll}, {@code nio}. io_uring is the default because it measured faster on the same
 * machine in the same runs: L4 keep-alive 1.13x epoll's req/s and 1.36x in close mode (fewer
 * system calls per connection: its submissions are batched), L7 1.07x.
 */
public final class Transport {
  /** A kind of transport. */
  public enum Kind {
    EPOLL,
    IO_URING,
    NIO
  }

  private static final Kind KIND = choose();

  private Transport() {}

  private static Kind choose() {
    String wanted = System.getProperty("fulcrum.transport", "auto").trim().toLowerCase(Locale.ROOT);
    if (Boolean.getBoolean("fulcrum.nio")) {
      wanted = "nio";
    }
    switch (wanted) {
      case "nio":
        return Kind.NIO;
      case "epoll":
        break;
      case "io_uring":
      case "auto":
        if (IoUring.isAvailable()) {
          return Kind.IO_URING;
        }
        break;
      default:
        throw new IllegalArgumentException(
            "fulcrum.transport: " + wanted + " (expected: auto, io_uring, epoll, nio)");
    }
    return Epoll.isAvailable() ? Kind.EPOLL : Kind.NIO;
  }

  public static Kind kind() {
    return KIND;
  }

  public static EventLoopGroup group(int threads, String name) {
    IoHandlerFactory io;
    switch (KIND) {
      case EPOLL:
        io = EpollRegistrations.wrap(EpollIoHandler.newFactory());
        break;
      case IO_URING:
        io = IoUringIoHandler.newFactory();
        break;
      default:
        io = NioIoHandler.newFactory();
    }
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), io);
  }

  public static Class<? extends ServerChannel> serverChannel() {
    switch (KIND) {
      case EPOLL:
        return EpollServerSocketChannel.class;
      case IO_URING:
        return IoUringServerSocketChannel.class;
      default:
        return NioServerSocketChannel.class;
    }
  }

  public static Class<? extends Channel> socketChannel() {
    switch (KIND) {
      case EPOLL:
        return EpollSocketChannel.class;
      case IO_URING:
        return IoUringSocketChannel.class;
      default:
        return NioSocketChannel.class;
    }
  }

  /**
   * New client sockets of the family of the address they will connect to: an IPv4 socket for an
   * IPv4 server saves the dual-stack set-up of an IPv6 one. Netty's sockets default to TCP_NODELAY.
   */
  public static ChannelFactory<? extends Channel> socketFactory(boolean ipv4) {
    SocketProtocolFamily family = ipv4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    switch (KIND) {
      case EPOLL:
        return () -> new EpollSocketChannel(family);
      case IO_URING:
        // io_uring sockets are dual-stack (IPv6 with IPv4-mapped addresses), so one kind serves both.
        return IoUringSocketChannel::new;
      default:
        return () -> new NioSocketChannel(SelectorProvider.provider(), family);
    }
  }

  /** The option that lets several listeners share a port, or null where there is none. */
  public static ChannelOption<Boolean> reusePort() {
    switch (KIND) {
      case EPOLL:
        return EpollChannelOption.SO_REUSEPORT;
      case IO_URING:
        return IoUringChannelOption.SO_REUSEPORT;
      default:
        return null;
    }
  }

  /** A listening UNIX stream socket. */
  public static Class<? extends ServerChannel> serverDomainChannel() {
    switch (KIND) {
      case EPOLL:
        return EpollServerDomainSocketChannel.class;
      case IO_URING:
        return IoUringServerDomainSocketChannel.class;
      default:
        return NioServerDomainSocketChannel.class;
    }
  }

  /** The address of a UNIX socket file for {@link #serverDomainChannel()}. */
  public static SocketAddress domainAddress(Path path) {
    return KIND == Kind.NIO ? UnixDomainSocketAddress.of(path) : new DomainSocketAddress(path.toFile());
  }

  public static Class<? extends DatagramChannel> datagramChannel() {
    switch (KIND) {
      case EPOLL:
        return EpollDatagramChannel.class;
      case IO_URING:
        return IoUringDatagramChannel.class;
      default:
        return NioDatagramChannel.class;
    }
  }
}
