package dev.fulcrum.upstream.pool;

import dev.fulcrum.net.Listeners;
import dev.fulcrum.net.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to upstreams, one pool per event loop: a client connection and the
 * upstream connection serving it live on the same loop, so nothing here is shared between threads
 * (Zuul's per-server pools, Netty's HexDumpProxy note). Connections idle longer than the idle
 * timeout are closed; a pool keeps at most {@code poolSize} idle connections per key.
 */
public final class UpstreamConnections implements AutoCloseable {
  private final ChannelHandler initializer;
  private final int poolSize;
  private final long idleTimeoutNanos;
  private final DnsAddressResolverGroup resolvers;
  private final FastThreadLocal<LoopPool> pools =
      new FastThreadLocal<>() {
        @Override
        protected LoopPool initialValue() {
          return new LoopPool();
        }
      };

  /**
   * @param initializer sets up the pipeline of every new upstream connection
   * @param poolSize idle connections kept per key and loop (0 disables keep-alive)
   * @param idleTimeoutSeconds how long an idle connection is kept
   */
  public UpstreamConnections(ChannelHandler initializer, int poolSize, double idleTimeoutSeconds) {
    this.initializer = initializer;
    this.poolSize = poolSize;
    this.idleTimeoutNanos = (long) (idleTimeoutSeconds * 1e9);
    this.resolvers =
        new DnsAddressResolverGroup(
            new DnsNameResolverBuilder().datagramChannelType(Transport.datagramChannel()));
  }

  /** The pool of the loop the caller runs on. */
  public LoopPool forLoop(EventLoop loop) {
    assert loop.inEventLoop();
    LoopPool p = pools.get();
    p.bind(loop);
    return p;
  }

  @Override
  public void close() {
    resolvers.close();
  }

  /** The pool of one event loop; use only from that loop. */
  public final class LoopPool {
    private EventLoop loop;
    private Bootstrap bootstrap;
    private AddressResolver<InetSocketAddress> resolver;
    private final Map<String, ArrayDeque<Idle>> idle = new HashMap<>();

    private record Idle(Channel channel, long sinceNanos) {}

    private void bind(EventLoop l) {
      if (loop != null) {
        return;
      }
      loop = l;
      bootstrap =
          new Bootstrap()
              .group(l)
              .channel(Transport.socketChannel())
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.AUTO_READ, false)
              .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
              .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Listeners.WATER_MARK)
              .handler(initializer);
      if (idleTimeoutNanos > 0) {
        l.scheduleAtFixedRate(this::closeExpired, 1, 1, TimeUnit.SECONDS);
      }
    }

    /** A live idle connection for {@code key}, or null. */
    public Channel poll(String key) {
      ArrayDeque<Idle> q = idle.get(key);
      if (q == null) {
        return null;
      }
      Idle i;
      while ((i = q.pollLast()) != null) {
        if (i.channel.isActive()) {
          return i.channel;
        }
      }
      return null;
    }

    /** Keeps {@code channel} for reuse, or closes it when the pool for {@code key} is full. */
    public void offer(String key, Channel channel) {
      ArrayDeque<Idle> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
      if (q.size() >= poolSize || !channel.isActive()) {
        channel.close();
        return;
      }
      q.addLast(new Idle(channel, System.nanoTime()));
      // A read kept pending lets us see the server closing an idle connection.
      channel.read();
    }

    /** Forgets a connection that closed while idle. */
    public void remove(String key, Channel channel) {
      ArrayDeque<Idle> q = idle.get(key);
      if (q != null) {
        q.removeIf(i -> i.channel == channel);
      }
    }

    /** Opens a new connection; the future completes on this loop. */
    public ChannelFuture connect(SocketAddress address, int connectTimeoutMillis) {
      return bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis).connect(address);
    }

    /** Resolves {@code host} without blocking; the future completes on this loop. */
    public Future<InetSocketAddress> resolve(String host, int port) {
      if (resolver == null) {
        // Made on first use: most targets are IP literals and never need one.
        resolver = resolvers.getResolver(loop);
      }
      return resolver.resolve(InetSocketAddress.createUnresolved(host, port));
    }

    private void closeExpired() {
      long now = System.nanoTime();
      for (Iterator<ArrayDeque<Idle>> it = idle.values().iterator(); it.hasNext(); ) {
        ArrayDeque<Idle> q = it.next();
        while (!q.isEmpty() && now - q.peekFirst().sinceNanos > idleTimeoutNanos) {
          q.pollFirst().channel.close();
        }
        if (q.isEmpty()) {
          it.remove();
        }
      }
    }

    /** Idle connections across all keys (tests and stats). */
    public int idleCount() {
      int n = 0;
      for (ArrayDeque<Idle> q : idle.values()) {
        n += q.size();
      }
      return n;
    }
  }
}
