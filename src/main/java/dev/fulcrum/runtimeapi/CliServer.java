package dev.fulcrum.runtimeapi;

import dev.fulcrum.haproxy.HaproxyRuntime;
import dev.fulcrum.net.AcceptGate;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.net.Listeners;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Locale;

/**
 * A {@code stats socket}: the runtime API on a TCP address or a UNIX socket file, at a fixed
 * level (user, operator or admin), with at most {@code stats maxconn} connections at a time.
 */
public final class CliServer implements HaproxyRuntime.StatsSockets.Socket, AutoCloseable {
  private final Channel channel;
  private final Path unixPath;
  /** The socket file's identity (inode), so that closing never removes a successor's file. */
  private final Object unixFileKey;
  private final Settings settings;

  /** Level and idle timeout of new connections; a reload may change them. */
  private static final class Settings {
    volatile int level;
    volatile long timeoutMillis;
  }

  private CliServer(Channel channel, Path unixPath, Object unixFileKey, Settings settings) {
    this.channel = channel;
    this.unixPath = unixPath;
    this.unixFileKey = unixFileKey;
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
   * @param listeners opens a TCP socket (a restarted node shares the port with its predecessor)
   * @param tcp the TCP address, or null for a UNIX socket at {@code unixPath}
   * @param level user, operator or admin
   * @param timeoutMillis idle timeout of a connection
   * @param maxconn concurrent connections
   */
  public static CliServer open(
      EventLoopGroup group, Listeners listeners, RuntimeModel model, InetSocketAddress tcp, Path unixPath, String level,
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
    b.handler(gate);
    if (tcp != null) {
      b.channel(Transport.serverChannel());
      return new CliServer(listeners.bind(b, tcp), null, null, settings);
    }
    // Bound under a temporary name and renamed over the path: a client always finds a socket
    // there, the predecessor's until the rename (a restart or a file left by a crash), this one's
    // after, as HAProxy replaces its socket files.
    b.channel(Transport.serverDomainChannel());
    Path temporary = unixPath.resolveSibling(unixPath.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.deleteIfExists(temporary);
      Channel ch = b.bind(Transport.domainAddress(temporary)).syncUninterruptibly().channel();
      try {
        Files.move(temporary, unixPath, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Object key = Files.readAttributes(unixPath, BasicFileAttributes.class).fileKey();
        return new CliServer(ch, unixPath, key, settings);
      } catch (IOException | RuntimeException e) {
        ch.close().syncUninterruptibly();
        Files.deleteIfExists(temporary);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + unixPath, e);
    }
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
        if (Objects.equals(unixFileKey, Files.readAttributes(unixPath, BasicFileAttributes.class).fileKey())) {
          Files.delete(unixPath);
        }
      } catch (IOException e) {
        // Gone already, or not ours to remove; the next start replaces it.
      }
    }
  }
}
