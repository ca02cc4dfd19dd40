package dev.fulcrum.runtimeapi;

import dev.fulcrum.haproxy.HaproxyRuntime;
import dev.fulcrum.net.AcceptGate;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A {@code stats socket}: the runtime API on a TCP address or a UNIX socket file, at a fixed
 * level (user, operator or admin), with at most {@code stats maxconn} connections at a time.
 */
public final class CliServer implements HaproxyRuntime.StatsSockets.Socket, AutoCloseable {
  private final Channel channel;
  private final Path unixPath;
  private final Settings settings;

  /** Level and idle timeout of new connections; a reload may change them. */
  private static final class Settings {
    volatile int level;
    volatile long timeoutMillis;
  }

  private CliServer(Channel channel, Path unixPath, Settings settings) {
    this.channel = channel;
    this.unixPath = unixPath;
    this.settings = settings;
  }

  /** New settings for connections accepted from now on. */
  @Override
  public void configure(String level, long timeoutMillis) {
    settings.level = levelOf(level);
    settings.timeoutMillis = timeoutMillis;
  }

  /**
   * Opens a socket.
   *
   * @param tcp the TCP address, or null for a UNIX socket at {@code unixPath}
   * @param level user, operator or admin
   * @param timeoutMillis idle timeout of a connection
   * @param maxconn concurrent connections
   */
  public static CliServer open(
      EventLoopGroup group, RuntimeModel model, InetSocketAddress tcp, Path unixPath, String level,
      long timeoutMillis, int maxconn) {
    Commands commands = new Commands(model);
    Settings settings = new Settings();
    settings.level = levelOf(level);
    settings.timeoutMillis = timeoutMillis;
    AcceptGate gate = new AcceptGate(new ConnectionLimit(maxconn, null));
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group, group)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new CliSession(commands, settings.level, settings.timeoutMillis));
                  }
                });
    SocketAddress address;
    if (tcp != null) {
      b.channel(Transport.serverChannel()).option(ChannelOption.SO_REUSEADDR, true);
      address = tcp;
    } else {
      b.channel(Transport.serverDomainChannel());
      try {
        // A socket file left by a previous run would make bind fail (HAProxy replaces it too).
        Files.deleteIfExists(unixPath);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot replace " + unixPath, e);
      }
      address = Transport.domainAddress(unixPath);
    }
    b.handler(gate);
    Channel ch = b.bind(address).syncUninterruptibly().channel();
    return new CliServer(ch, tcp == null ? unixPath : null, settings);
  }

  static int levelOf(String level) {
    switch (level.toLowerCase(Locale.ROOT)) {
      case "admin":
        return Commands.ADMIN;
      case "user":
        return Commands.USER;
      default:
        return Commands.OPERATOR;
    }
  }

  @Override
  public SocketAddress localAddress() {
    return channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    if (unixPath != null) {
      try {
        Files.deleteIfExists(unixPath);
      } catch (IOException e) {
        // Nothing else to do; the next start replaces it.
      }
    }
  }
}
