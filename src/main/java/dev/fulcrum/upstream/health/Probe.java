package dev.fulcrum.upstream.health;

import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.upstream.ProbeSpec;
import dev.fulcrum.upstream.ProxyProtocol;
import dev.fulcrum.upstream.UpstreamTarget;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One active health probe: a TCP connect, or an HTTP request (Kong: {@code GET <http_path>
 * HTTP/1.0} with the target's Host; HAProxy: {@code OPTIONS / HTTP/1.0} with no Host by default),
 * over TLS for https. The result arrives once, on the probing loop.
 */
public final class Probe {
  public enum Kind {
    STATUS,
    CONNECTED,
    TIMEOUT,
    FAILED
  }

  /**
   * @param kind what happened
   * @param status the HTTP status for STATUS
   * @param detail why, for failures
   * @param durationMillis from connect to result
   * @param connected whether the TCP connection was made (layer 4 passed)
   */
  public record Result(Kind kind, int status, String detail, long durationMillis, boolean connected) {}

  private Probe() {}

  public static void run(Bootstrap base, InetSocketAddress address, ProbeSpec spec, EventLoop loop, Consumer<Result> done) {
    long start = System.nanoTime();
    boolean[] connected = new boolean[1];
    Once once = new Once(r -> done.accept(new Result(r.kind(), r.status(), r.detail(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), connected[0])));
    long timeoutMillis = Math.max(1, spec.timeoutMillis());
    boolean tcp = "tcp".equals(spec.type());
    Bootstrap b =
        base.clone()
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (spec.proxyProtocol() > 0) {
                      ch.pipeline().addLast("proxy-protocol", HAProxyMessageEncoder.INSTANCE);
                    }
                    if (spec.tls() != null) {
                      ch.pipeline().addLast("tls", spec.tls().handler(
                          ch.alloc(), spec.sni(), address.getAddress().getHostAddress(), address.getPort(), timeoutMillis));
                    }
                    if (tcp) {
                      return;
                    }
                    ch.pipeline().addLast(new HttpClientCodec()).addLast(new StatusReader(once));
                  }
                });
    ChannelFuture connect = b.connect(address);
    Channel ch = connect.channel();
    ScheduledFuture<?> timer =
        loop.schedule(
            () -> {
              once.complete(new Result(Kind.TIMEOUT, 0, "no answer within " + timeoutMillis + " ms", 0, false));
              ch.close();
            },
            timeoutMillis,
            TimeUnit.MILLISECONDS);
    once.onComplete(
        () -> {
          timer.cancel(false);
          ch.close();
        });
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            Throwable c = f.cause();
            once.complete(
                c instanceof ConnectTimeoutException
                    ? new Result(Kind.TIMEOUT, 0, c.getMessage(), 0, false)
                    : new Result(Kind.FAILED, 0, connectProblem(c), 0, false));
            return;
          }
          connected[0] = true;
          if (spec.proxyProtocol() > 0) {
            // A server that expects the PROXY protocol expects it from its checks too (HAProxy's
            // send-proxy applies to checks on the server's own address).
            ch.writeAndFlush(
                ProxyProtocol.header(
                    spec.proxyProtocol(), (InetSocketAddress) ch.localAddress(), (InetSocketAddress) ch.remoteAddress()));
          }
          if (tcp && spec.tls() != null) {
            // A TLS check passes once the handshake does (HAProxy's check-ssl without httpchk).
            ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> once.complete(h.isSuccess()
                ? new Result(Kind.CONNECTED, 0, null, 0, true)
                : new Result(Kind.FAILED, 0, "TLS handshake failed: " + h.cause().getMessage(), 0, true)));
            return;
          }
          if (tcp) {
            once.complete(new Result(Kind.CONNECTED, 0, null, 0, true));
            return;
          }
          DefaultFullHttpRequest req =
              new DefaultFullHttpRequest(spec.version(), HttpMethod.valueOf(spec.method()), spec.uri(), Unpooled.EMPTY_BUFFER);
          if (spec.host() != null) {
            req.headers().set(HttpHeaderNames.HOST, spec.host());
          }
          for (Map.Entry<String, List<String>> h : spec.headers().entrySet()) {
            for (String v : h.getValue()) {
              req.headers().add(h.getKey(), v);
            }
          }
          if (spec.version().equals(HttpVersion.HTTP_1_1)) {
            req.headers().set(HttpHeaderNames.CONNECTION, "close");
          }
          ch.writeAndFlush(req);
        });
  }

  /** HAProxy's wording for a failed connect ("Connection refused"). */
  private static String connectProblem(Throwable c) {
    String m = String.valueOf(c.getMessage());
    if (m.contains("refused")) {
      return "Connection refused";
    }
    return m;
  }

  /**
   * The Kong probe of an upstream target: GET http_path HTTP/1.0 with the target's Host; for
   * https, with https_sni (else the target's host) and https_verify_certificate.
   */
  public static ProbeSpec kong(Healthchecks.Active config, UpstreamTarget target, TlsContexts contexts) {
    boolean https = "https".equals(config.type());
    return new ProbeSpec(
        config.type(), "GET", config.httpPath(), HttpVersion.HTTP_1_0, target.hostHeader().toString(), config.headers(),
        Math.max(1, (long) (config.timeout() * 1000)),
        config.httpsSni() != null ? config.httpsSni() : target.host(),
        https ? contexts.kong(config.httpsVerifyCertificate(), null) : null, 0);
  }

  /** Completes a probe exactly once. */
  private static final class Once {
    private final Consumer<Result> done;
    private Runnable cleanup;
    private boolean completed;

    Once(Consumer<Result> done) {
      this.done = done;
    }

    void onComplete(Runnable r) {
      cleanup = r;
    }

    void complete(Result r) {
      if (completed) {
        return;
      }
      completed = true;
      if (cleanup != null) {
        cleanup.run();
      }
      done.accept(r);
    }
  }

  private static final class StatusReader extends ChannelInboundHandlerAdapter {
    private final Once once;

    StatusReader(Once once) {
      this.once = once;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse) {
          HttpResponse r = (HttpResponse) msg;
          if (r.decoderResult().isFailure()) {
            once.complete(new Result(Kind.FAILED, 0, "bad response: " + r.decoderResult().cause(), 0, true));
          } else {
            once.complete(new Result(Kind.STATUS, r.status().code(), null, 0, true));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      once.complete(new Result(Kind.FAILED, 0, "connection closed before a response", 0, true));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      once.complete(new Result(Kind.FAILED, 0, String.valueOf(cause), 0, true));
      ctx.close();
    }
  }
}
