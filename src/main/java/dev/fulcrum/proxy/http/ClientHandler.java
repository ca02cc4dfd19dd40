package dev.fulcrum.proxy.http;

import dev.fulcrum.upstream.PickContext;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Auto-read is off: a message is taken only when the current step asks for
 * one ({@link #readNext}), so a request is served by its {@link Exchange} before the next one is
 * looked at, pipelined requests wait their turn, and a slow upstream slows the client down. The
 * decoder may produce several messages from one read; they wait in a small queue.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);
  private static final long LINGER_MILLIS = 2000;

  final HttpProxy proxy;
  final HttpRouting routing;
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  private final ArrayDeque<Object> inbound = new ArrayDeque<>(4);
  private boolean wantMessage;
  /** Discarding the rest of a request body we answered without reading it all. */
  private boolean discarding;
  /** Answered and half-closed; dropping input until the client closes. */
  private boolean lingering;
  /** Client address and listener port as header values, made once per connection. */
  AsciiString clientIp;
  AsciiString localPort;
  int localPortNumber;
  InetSocketAddress remote;
  InetSocketAddress local;
  /** HAProxy's source hash key of the client address, computed once per connection. */
  int sourceKey;
  /** When the connection last became free of requests; 0 while one is served. */
  private long idleSinceNanos;
  /** When the first byte of the request head now arriving came, or 0 between requests. */
  private long headStartNanos;

  ClientHandler(HttpProxy proxy, HttpRouting routing) {
    this.proxy = proxy;
    this.routing = routing;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    remote = (InetSocketAddress) ctx.channel().remoteAddress();
    local = (InetSocketAddress) ctx.channel().localAddress();
    clientIp = new AsciiString(remote.getAddress().getHostAddress());
    localPortNumber = local.getPort();
    localPort = new AsciiString(Integer.toString(localPortNumber));
    sourceKey = PickContext.sourceKeyOf(remote.getAddress());
    proxy.inFlight().opened(ctx.channel());
    routing.counters().opened();
    ctx.channel().closeFuture().addListener(f -> {
      proxy.inFlight().closed(ctx.channel());
      routing.counters().closed();
    });
    idleSinceNanos = System.nanoTime();
    scheduleIdleCheck(routing.idleTimeoutMillis());
    readNext();
  }

  Channel channel() {
    return ctx.channel();
  }

  ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  /** Asks for the next message: from the queue if one is there, else from the socket. */
  void readNext() {
    wantMessage = true;
    if (inbound.isEmpty()) {
      ctx.read();
    } else {
      drain();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (lingering) {
      ReferenceCountUtil.release(msg);
      return;
    }
    inbound.add(msg);
    drain();
  }

  private void drain() {
    while (wantMessage && !inbound.isEmpty()) {
      wantMessage = false;
      dispatch(inbound.poll());
    }
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest) {
      if (exchange != null || discarding) {
        // Cannot happen when messages are taken one at a time; refuse rather than mix requests.
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      proxy.inFlight().requestStarted();
      idleSinceNanos = 0;
      headStartNanos = 0;
      exchange = new Exchange(this, (HttpRequest) msg);
      exchange.start();
      return;
    }
    if (msg instanceof HttpContent) {
      if (exchange != null) {
        exchange.onRequestContent((HttpContent) msg);
        return;
      }
      // The rest of a request answered early: drop it, then read on.
      if (msg instanceof LastHttpContent) {
        discarding = false;
      }
      ReferenceCountUtil.release(msg);
      readNext();
      return;
    }
    ReferenceCountUtil.release(msg);
    readNext();
  }

  /**
   * The exchange has written its response.
   *
   * @param keepAlive whether the connection may carry another request
   * @param requestComplete whether the whole request was read
   */
  void exchangeFinished(Exchange e, boolean keepAlive, boolean requestComplete) {
    if (exchange != e) {
      return;
    }
    exchange = null;
    proxy.inFlight().requestEnded();
    idleSinceNanos = System.nanoTime();
    if (!keepAlive || proxy.inFlight().draining()) {
      if (requestComplete) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        lingerThenClose();
      }
      return;
    }
    discarding = !requestComplete;
    readNext();
  }

  /**
   * One timer per connection, re-armed for the time left rather than per request: a connection
   * without a request for the routing's idle timeout is closed (keep-alive timeout, and slow
   * request heads).
   */
  private void scheduleIdleCheck(long delayMillis) {
    if (delayMillis > 0) {
      ctx.executor().schedule(this::checkIdle, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Bytes came in (seen before the codec): the first byte of a new request head starts the head's
   * clock; when the head may take less than an idle connection may wait, a check is due earlier.
   */
  void bytesArrived() {
    if (headStartNanos == 0 && exchange == null && !discarding) {
      headStartNanos = System.nanoTime();
      long head = routing.headTimeoutMillis();
      long idle = routing.idleTimeoutMillis();
      if (head > 0 && (idle <= 0 || head < idle)) {
        scheduleIdleCheck(head);
      }
    }
  }

  private void checkIdle() {
    if (!ctx.channel().isActive() || lingering) {
      return;
    }
    long idle = routing.idleTimeoutMillis();
    long since = idleSinceNanos;
    if (since == 0 || exchange != null) {
      scheduleIdleCheck(idle);
      return;
    }
    boolean partial = headStartNanos != 0;
    long timeout = partial ? routing.headTimeoutMillis() : idle;
    if (timeout <= 0) {
      return;
    }
    long left = timeout - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - (partial ? headStartNanos : since));
    if (left > 0) {
      scheduleIdleCheck(left);
      return;
    }
    if (!partial) {
      LOG.debug("client connection {} idle for {} ms, closing", ctx.channel().remoteAddress(), timeout);
      ctx.close();
      return;
    }
    LOG.debug("client connection {}: request head incomplete after {} ms", ctx.channel().remoteAddress(), timeout);
    routing.counters().requestErrors.increment();
    if (routing.answersHeadTimeout()) {
      // HAProxy answers 408 (timeout http-request); nginx closes without a word.
      HttpResponse page = routing.errors().page(ctx.alloc(), 408, ErrorPages.Cause.CLIENT_TIMEOUT, null);
      page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  /** No request is being served. */
  boolean idle() {
    return exchange == null && !discarding;
  }

  /** The exchange turned this connection into a tunnel; HTTP ends here. */
  void upgraded(Exchange e) {
    if (exchange == e) {
      exchange = null;
      proxy.inFlight().requestEnded();
    }
    inbound.forEach(ReferenceCountUtil::release);
    inbound.clear();
  }

  /**
   * Closing with unread request bytes makes the kernel send a reset, which can destroy the
   * response before the client reads it. Like nginx's lingering close: send our FIN, read and drop
   * what still arrives for a moment, then close.
   */
  private void lingerThenClose() {
    lingering = true;
    inbound.forEach(ReferenceCountUtil::release);
    inbound.clear();
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            f -> {
              if (ctx.channel() instanceof DuplexChannel) {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
              }
              ctx.channel().config().setAutoRead(true);
              ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            });
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange e = exchange;
    if (e != null && ctx.channel().isWritable()) {
      e.onClientWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inbound.forEach(ReferenceCountUtil::release);
    inbound.clear();
    Exchange e = exchange;
    if (e != null) {
      exchange = null;
      proxy.inFlight().requestEnded();
      e.onClientClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
