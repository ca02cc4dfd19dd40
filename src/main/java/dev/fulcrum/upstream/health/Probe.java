package dev.fulcrum.upstream.health;

import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.server.Version;
import dev.fulcrum.upstream.UpstreamTarget;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;

/**
 * One active health probe, Kong's way: a TCP connect, or {@code GET <http_path> HTTP/1.0} with
 * the target's Host and the configured headers, over TLS for type https. The result arrives once,
 * on the probing loop.
 */
final class Probe {
  enum Kind {
    STATUS,
    CONNECTED,
    TIMEOUT,
    FAILED
  }

  record Result(Kind kind, int status, String detail) {}

  private static final SslContext VERIFYING = ssl(true);
  private static final SslContext TRUSTING = ssl(false);

  private Probe() {}

  private static SslContext ssl(boolean verify) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient();
      if (!verify) {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      return b.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for health probes", e);
    }
  }

  static void run(
      Bootstrap base, InetSocketAddress address, UpstreamTarget target, Healthchecks.Active config,
      EventLoop loop, Consumer<Result> done) {
    Once once = new Once(done);
    long timeoutMillis = Math.max(1, (long) (config.timeout() * 1000));
    boolean tcp = "tcp".equals(config.type());
    boolean https = "https".equals(config.type());
    Bootstrap b =
        base.clone()
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (tcp) {
                      return;
                    }
                    if (https) {
                      String sni = config.httpsSni() != null ? config.httpsSni() : target.host();
                      SslContext ctx = config.httpsVerifyCertificate() ? VERIFYING : TRUSTING;
                      ch.pipeline().addLast(ctx.newHandler(ch.alloc(), sni, target.port()));
                    }
                    ch.pipeline().addLast(new HttpClientCodec()).addLast(new StatusReader(once));
                  }
                });
    ChannelFuture connect = b.connect(address);
    Channel ch = connect.channel();
    ScheduledFuture<?> timer =
        loop.schedule(
            () -> {
              once.complete(new Result(Kind.TIMEOUT, 0, "no answer within " + timeoutMillis + " ms"));
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
                    ? new Result(Kind.TIMEOUT, 0, c.getMessage())
                    : new Result(Kind.FAILED, 0, String.valueOf(c)));
            return;
          }
          if (tcp) {
            once.complete(new Result(Kind.CONNECTED, 0, null));
            return;
          }
          DefaultFullHttpRequest req =
              new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, config.httpPath(), Unpooled.EMPTY_BUFFER);
          req.headers().set(HttpHeaderNames.HOST, target.hostHeader());
          req.headers().set(HttpHeaderNames.USER_AGENT, Version.SERVER + " (health check)");
          for (Map.Entry<String, List<String>> h : config.headers().entrySet()) {
            for (String v : h.getValue()) {
              req.headers().add(h.getKey(), v);
            }
          }
          ch.writeAndFlush(req);
          ch.read();
        });
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
            once.complete(new Result(Kind.FAILED, 0, "bad response: " + r.decoderResult().cause()));
          } else {
            once.complete(new Result(Kind.STATUS, r.status().code(), null));
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      once.complete(new Result(Kind.FAILED, 0, "connection closed before a response"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      once.complete(new Result(Kind.FAILED, 0, String.valueOf(cause)));
      ctx.close();
    }
  }
}
