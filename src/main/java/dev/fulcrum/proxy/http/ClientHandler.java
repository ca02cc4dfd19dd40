package dev.fulcrum.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection. Reads are explicit (auto-read is off and a FlowControlHandler sits in
 * front): a request is read, served by an {@link Exchange}, and only then is the next one read,
 * so pipelined requests wait their turn and a slow upstream slows the client down.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ClientHandler.class);

  final HttpProxy proxy;
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  /** Discarding the rest of a request body we answered without reading it all. */
  private boolean discarding;
  String clientIp;
  String localPort;

  ClientHandler(HttpProxy proxy) {
    this.proxy = proxy;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
    clientIp = remote.getAddress().getHostAddress();
    localPort = Integer.toString(local.getPort());
    proxy.inFlight().opened(ctx.channel());
    ctx.channel().closeFuture().addListener(f -> proxy.inFlight().closed(ctx.channel()));
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      if (exchange != null || discarding) {
        // Cannot happen with one read per message; refuse rather than mix two requests.
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      proxy.inFlight().requestStarted();
      exchange = new Exchange(this, ctx.channel(), (HttpRequest) msg);
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
      ctx.read();
      return;
    }
    ReferenceCountUtil.release(msg);
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
    if (!keepAlive || proxy.inFlight().draining()) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    discarding = !requestComplete;
    ctx.read();
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
