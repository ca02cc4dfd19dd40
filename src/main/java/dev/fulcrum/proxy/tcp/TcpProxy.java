package dev.fulcrum.proxy.tcp;

import dev.fulcrum.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;
import dev.fulcrum.net.Listeners;
import dev.fulcrum.runtime.StreamFrontend;

/**
 * The L4 proxy: each accepted connection becomes a {@link TcpSession} that picks a server, connects
 * on the client's own event loop and relays bytes both ways with backpressure. The frontend is
 * read through a supplier when a connection arrives, so a reload swaps it without touching
 * sessions in progress.
 */
public final class TcpProxy {
  private static final ChannelFactory<? extends Channel> IPV4 = Transport.socketFactory(true);
  private static final ChannelFactory<? extends Channel> IPV6 = Transport.socketFactory(false);

  /** Per event loop: a bootstrap for IPv4 servers and one for IPv6 ones. */
  private final FastThreadLocal<Bootstrap[]> bootstraps =
      new FastThreadLocal<>() {
        @Override
        protected Bootstrap[] initialValue() {
          return new Bootstrap[] {bootstrap(IPV4), bootstrap(IPV6)};
        }
      };

  private static Bootstrap bootstrap(ChannelFactory<? extends Channel> factory) {
    return new Bootstrap()
        .channelFactory(factory)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listeners.WATER_MARK);
  }

  /** Pipeline of an accepted client connection of {@code frontend}. */
  public ChannelInitializer<Channel> initializer(Supplier<? extends StreamFrontend> frontend) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        init(ch, frontend.get());
      }
    };
  }

  /** Makes an accepted connection a session of {@code frontend}. */
  public void init(Channel ch, StreamFrontend frontend) {
    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    ch.pipeline().addLast("session", new TcpSession(this, frontend));
  }

  /**
   * Connects to a server from {@code loop}, the loop of the client connection. The loop's own
   * bootstrap is reused: it is only touched from that loop, and connect() applies its settings
   * before returning.
   */
  ChannelFuture connect(EventLoop loop, SocketAddress address, long timeoutMillis, ChannelHandler handler) {
    assert loop.inEventLoop();
    boolean ipv4 =
        address instanceof InetSocketAddress && ((InetSocketAddress) address).getAddress() instanceof Inet4Address;
    Bootstrap b = bootstraps.get()[ipv4 ? 0 : 1];
    if (b.config().group() == null) {
      b.group(loop);
    }
    return b.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .handler(handler)
        .connect(address);
  }
}
