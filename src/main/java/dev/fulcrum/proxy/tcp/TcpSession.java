package dev.fulcrum.proxy.tcp;

import dev.fulcrum.model.HashSource;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.runtime.StreamFrontend;
import dev.fulcrum.upstream.Attempts;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.ProxyFailure;
import dev.fulcrum.net.UpstreamTls;
import dev.fulcrum.upstream.ProxyProtocol;
import io.netty.handler.ssl.SslHandler;
import dev.fulcrum.upstream.UpstreamTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a TCP frontend: route it, have {@link Attempts} pick a server (queueing
 * while every server is at its maxconn, retrying failed connects per the destination's policy:
 * the same balance/connect phase as HTTP requests), connect from the client's event loop, then
 * relay bytes both ways. Reads happen only when the other side can take the bytes; a half-close
 * travels to the other side; inactivity ends the session. Runs on one event loop.
 */
final class TcpSession extends ChannelInboundHandlerAdapter implements Attempts.Owner {
  private static final Logger LOG = LoggerFactory.getLogger(TcpSession.class);
  /** The most client bytes kept for a replay: HAProxy's tune.bufsize. */
  private static final int REPLAY_LIMIT = 16 * 1024;
  /** Client bytes kept while the server connection is being made, before reading pauses. */
  private static final int PENDING_LIMIT = 64 * 1024;

  private final TcpProxy proxy;
  private final StreamFrontend frontend;
  private final long startNanos = System.nanoTime();

  private Channel client;
  private InetSocketAddress clientAddress;
  private InetSocketAddress localAddress;

  private Destination destination;
  private Backend backend;
  private Attempts attempts;
  private UpstreamTarget target;
  private Channel server;
  private boolean connected;
  private long connectStartNanos;

  private ArrayDeque<ByteBuf> pending;
  private int pendingBytes;
  private CompositeByteBuf replay;
  private boolean serverSpoke;
  private boolean serverReset;

  private boolean clientEof;
  private boolean serverEof;
  /** An end of input waits for the loop's current batch of I/O to be passed on. */
  private boolean eofPending;
  private boolean clientBlocked;
  private boolean serverBlocked;
  private long lastActivityNanos = startNanos;
  private ScheduledFuture<?> timer;
  /** Bytes read since the last read-complete, counted then (one update per batch, not per read). */
  private long unreportedIn;
  private long unreportedOut;
  private boolean finished;

  TcpSession(TcpProxy proxy, StreamFrontend frontend) {
    this.proxy = proxy;
    this.frontend = frontend;
  }

  // ------------------------------------------------------------------ client

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    clientAddress = (InetSocketAddress) client.remoteAddress();
    localAddress = (InetSocketAddress) client.localAddress();
    frontend.counters().opened();
    armTimer();
    if (frontend.acceptProxy()) {
      ctx.pipeline().addBefore(ctx.name(), "proxy-protocol", new HAProxyMessageDecoder());
      return;
    }
    route();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage) {
      HAProxyMessage m = (HAProxyMessage) msg;
      InetSocketAddress src = ProxyProtocol.source(m);
      InetSocketAddress dst = ProxyProtocol.destination(m);
      m.release();
      if (src != null) {
        clientAddress = src;
      }
      if (dst != null) {
        localAddress = dst;
      }
      route();
      return;
    }
    ByteBuf buf = (ByteBuf) msg;
    if (finished) {
      buf.release();
      return;
    }
    int n = buf.readableBytes();
    unreportedIn += n;
    if (!connected) {
      if (pending == null) {
        pending = new ArrayDeque<>(2);
      }
      pending.add(buf);
      pendingBytes += n;
      if (pendingBytes > PENDING_LIMIT) {
        // The server is not there yet: hold the client back (reading resumes once connected).
        client.config().setAutoRead(false);
      }
      return;
    }
    toServer(buf);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (finished) {
      return;
    }
    lastActivityNanos = System.nanoTime();
    reportIn();
    if (!connected) {
      return;
    }
    server.flush();
    if (!server.isWritable()) {
      // Backpressure: stop reading the client until the server has taken what it was given.
      clientBlocked = true;
      client.config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (client.isWritable() && serverBlocked && connected) {
      serverBlocked = false;
      server.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      clientEof = true;
      if (backend == null) {
        // Closed before its PROXY header.
        close();
      } else {
        passEofOn();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!finished) {
      if (!serverSpoke && !clientEof) {
        abortCount(true);
      }
      if (connected) {
        closeAfterFlush(server);
      }
      finish();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("client {}: {}", clientAddress, cause.toString());
    abortCount(true);
    close();
  }

  // ----------------------------------------------------------------- routing

  private void route() {
    destination = frontend.route(clientAddress, localAddress);
    if (destination == null) {
      close();
      return;
    }
    backend = destination.backend();
    backend.counters().opened();
    if (destination.retry().emptyResponse()) {
      replay = client.alloc().compositeBuffer();
    }
    attempts = new Attempts(destination, this);
    attempts.next();
  }

  @Override
  public EventLoop loop() {
    return client.eventLoop();
  }

  /** A server with a slot for this try: connect to it. */
  @Override
  public void tryAt(UpstreamTarget t) {
    target = t;
    if (t.options().shutdownSessionsOnDown()) {
      backend.state().sessions(t.options().name()).add(client);
    }
    connectStartNanos = System.nanoTime();
    ChannelFuture f = proxy.connect(client.eventLoop(), t.address(), destination.timeouts().connect(), new ServerSide());
    server = f.channel();
    f.addListener((ChannelFutureListener) this::connectDone);
  }

  /** No server is usable, or the queue timed out: HAProxy closes a TCP client at once, without a byte. */
  @Override
  public void unavailable(ProxyFailure failure) {
    close();
  }

  private void connectDone(ChannelFuture f) {
    if (finished) {
      f.channel().close();
      return;
    }
    if (!f.isSuccess()) {
      LOG.debug("connect to {} failed: {}", target, f.cause().toString());
      connected = false;
      server = null;
      retry(f.cause() instanceof ConnectTimeoutException ? ProxyFailure.CONNECT_TIMEOUT : ProxyFailure.CONNECT_FAILED);
      return;
    }
    long now = System.nanoTime();
    attempts.connected(false);
    connected = true;
    lastActivityNanos = now;
    int sendProxy = target.options().sendProxy();
    if (sendProxy > 0) {
      server.pipeline().addFirst("proxy-protocol", HAProxyMessageEncoder.INSTANCE);
      server.write(ProxyProtocol.header(sendProxy, clientAddress, localAddress), server.voidPromise());
      server.pipeline().remove("proxy-protocol");
    }
    UpstreamTls tls = destination.tls(target);
    if (tls == null) {
      relay();
      return;
    }
    // The PROXY header (already written) goes first in cleartext, as HAProxy sends it; the
    // client's bytes wait for the handshake.
    InetSocketAddress address = (InetSocketAddress) server.remoteAddress();
    SslHandler ssl = tls.handler(server.alloc(), tls.serverName(null), address.getAddress().getHostAddress(),
        address.getPort(), destination.timeouts().connect());
    server.pipeline().addFirst("tls", ssl);
    Channel ch = server;
    ssl.handshakeFuture().addListener(h -> {
      if (finished || server != ch) {
        return;
      }
      if (h.isSuccess()) {
        relay();
      } else {
        LOG.info("TLS handshake with {} failed: {}", target, h.cause().toString());
        connected = false;
        server = null;
        ch.close();
        retry(ProxyFailure.CONNECT_FAILED);
      }
    });
  }

  /** Connected (and through the TLS handshake): pass on what the client sent, then relay both ways. */
  private void relay() {
    if (replay != null && replay.isReadable()) {
      // A retry after the last server reset before answering: send what it was sent.
      server.write(replay.retainedDuplicate(), server.voidPromise());
    }
    if (pending != null) {
      ByteBuf b;
      while ((b = pending.poll()) != null) {
        target.state().counters().bytesIn.add(b.readableBytes());
        toServer(b);
      }
      pendingBytes = 0;
    }
    server.flush();
    if (clientEof) {
      shutdownOutput(server);
    }
    // From here on both sides read on their own; reading stops only while the other side cannot
    // take more (a read request per chunk would cost two epoll_ctl calls each time).
    client.config().setAutoRead(true);
    server.config().setAutoRead(true);
    armTimer();
  }

  /** The try failed: another one by the destination's retry rules, else the session ends. */
  private void retry(ProxyFailure failure) {
    forgetTarget();
    if (!attempts.failed(failure, true, false, failure == ProxyFailure.CONNECT_FAILED)) {
      close();
    }
  }

  // ------------------------------------------------------------------ relay

  private void toServer(ByteBuf buf) {
    if (replay != null) {
      if (serverSpoke || replay.readableBytes() + buf.readableBytes() > REPLAY_LIMIT) {
        dropReplay();
      } else {
        replay.addComponent(true, buf.retainedDuplicate());
      }
    }
    server.write(buf, server.voidPromise());
  }

  private void dropReplay() {
    if (replay != null) {
      replay.release();
      replay = null;
    }
  }

  /** The server's side of the session. */
  private final class ServerSide extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      if (finished) {
        buf.release();
        return;
      }
      if (!serverSpoke) {
        serverSpoke = true;
        dropReplay();
      }
      unreportedOut += buf.readableBytes();
      client.write(buf, client.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (finished) {
        return;
      }
      lastActivityNanos = System.nanoTime();
      reportOut();
      client.flush();
      if (!client.isWritable()) {
        serverBlocked = true;
        server.config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && clientBlocked) {
        clientBlocked = false;
        client.config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent && ctx.channel() == server) {
        serverEof = true;
        passEofOn();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (finished || ctx.channel() != server || !connected) {
        return;
      }
      if (!serverSpoke && serverReset && replay != null && !serverEof) {
        // Reset before a single byte (a server closing its listener with us in its backlog):
        // nothing was answered, so the client's bytes can go to another server.
        connected = false;
        server = null;
        client.config().setAutoRead(false);
        retry(ProxyFailure.RESET_BEFORE_RESPONSE);
        return;
      }
      if (!serverEof) {
        abortCount(false);
      }
      closeAfterFlush(client);
      finish();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("server {}: {}", target, cause.toString());
      if (cause instanceof IOException && !serverSpoke) {
        serverReset = true;
      }
      ctx.close();
    }
  }

  private void reportIn() {
    long n = unreportedIn;
    if (n == 0) {
      return;
    }
    unreportedIn = 0;
    frontend.counters().bytesIn.add(n);
    if (backend != null) {
      backend.counters().bytesIn.add(n);
    }
    if (connected) {
      target.state().counters().bytesIn.add(n);
    }
  }

  private void reportOut() {
    long n = unreportedOut;
    if (n == 0) {
      return;
    }
    unreportedOut = 0;
    frontend.counters().bytesOut.add(n);
    backend.counters().bytesOut.add(n);
    target.state().counters().bytesOut.add(n);
  }

  private void abortCount(boolean byClient) {
    if (backend == null) {
      return;
    }
    if (byClient) {
      backend.counters().clientAborts.increment();
      if (target != null) {
        target.state().counters().clientAborts.increment();
      }
    } else {
      backend.counters().serverAborts.increment();
      if (target != null) {
        target.state().counters().serverAborts.increment();
      }
    }
  }

  /**
   * Passes an end of input on to the other side once the event loop has handled the rest of its
   * current batch of I/O. When both ends close at once, the usual end of a connection-per-request
   * exchange, the session then closes both sockets, as HAProxy does, instead of half-closing one
   * and finding the other gone (two shutdown calls and two exceptions in Netty per connection).
   */
  private void passEofOn() {
    if (!eofPending) {
      eofPending = true;
      client.eventLoop().execute(this::eofSettled);
    }
  }

  private void eofSettled() {
    eofPending = false;
    if (finished) {
      return;
    }
    if (clientEof && serverEof) {
      // Both sides are done: closing says it all, no half-close needed.
      closeBothAfterFlush();
    } else if (serverEof) {
      shutdownOutput(client);
    } else if (clientEof && connected) {
      shutdownOutput(server);
    }
  }

  /** Ends our writing once what is queued has gone out (a half-close passed on). */
  private static void shutdownOutput(Channel ch) {
    if (ch instanceof DuplexChannel && ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) ch).shutdownOutput());
    } else {
      ch.close();
    }
  }

  private static void closeAfterFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Both sides said all they had to say: close once the last bytes are out. */
  private void closeBothAfterFlush() {
    closeAfterFlush(client);
    if (server != null) {
      closeAfterFlush(server);
    }
    finish();
  }

  /** Ends the session now, both sides. */
  void close() {
    if (server != null) {
      server.close();
    }
    client.close();
    finish();
  }

  private void finish() {
    if (finished) {
      return;
    }
    reportIn();
    reportOut();
    finished = true;
    cancelTimer();
    forgetTarget();
    if (attempts != null) {
      attempts.close();
    }
    dropReplay();
    if (pending != null) {
      pending.forEach(ReferenceCountUtil::release);
      pending = null;
    }
    long ttime = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    if (backend != null) {
      backend.counters().totalTime.add(ttime);
      backend.counters().closed();
    }
    frontend.counters().closed();
  }

  /** The session leaves its server (the slot itself goes back through {@link Attempts}). */
  private void forgetTarget() {
    if (target != null) {
      UpstreamTarget t = target;
      target = null;
      if (t.options().shutdownSessionsOnDown()) {
        backend.state().sessions(t.options().name()).remove(client);
      }
      t.state().counters().totalTime.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartNanos));
    }
  }

  // ------------------------------------------------------------------ timers

  /** The inactivity limit: timeout tunnel, else the shorter of timeout client and server. */
  private long idleLimitMillis() {
    long tunnel = destination == null ? 0 : destination.timeouts().tunnel();
    if (tunnel > 0 && connected) {
      return tunnel;
    }
    long c = frontend.clientTimeoutMillis();
    long s = destination == null || !connected ? 0 : destination.timeouts().read();
    if (c > 0 && s > 0) {
      return Math.min(c, s);
    }
    return Math.max(c, s);
  }

  private void armTimer() {
    long limit = idleLimitMillis();
    if (limit > 0 && timer == null) {
      timer = client.eventLoop().schedule(this::onTimer, limit, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** One timer per session, re-armed for the remaining time rather than per read. */
  private void onTimer() {
    timer = null;
    if (finished) {
      return;
    }
    long limit = idleLimitMillis();
    if (attempts != null && attempts.queued()) {
      // Waiting for a server slot: the queue has its own timeout.
      armTimer();
      return;
    }
    if (limit <= 0) {
      return;
    }
    long deadline = lastActivityNanos + TimeUnit.MILLISECONDS.toNanos(limit);
    long now = System.nanoTime();
    if (now < deadline) {
      timer = client.eventLoop().schedule(this::onTimer, deadline - now, TimeUnit.NANOSECONDS);
      return;
    }
    LOG.debug("client {}: inactive for {} ms, closing", clientAddress, limit);
    close();
  }

  // ------------------------------------------------------------- pick context

  @Override
  public String hashValue(Upstream.HashSpec spec) {
    return spec.source() == HashSource.IP ? clientAddress.getAddress().getHostAddress() : null;
  }

  @Override
  public int sourceKey() {
    return PickContext.sourceKeyOf(clientAddress.getAddress());
  }
}
