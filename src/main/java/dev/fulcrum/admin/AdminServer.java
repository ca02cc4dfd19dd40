package dev.fulcrum.admin;

import dev.fulcrum.model.Json;
import dev.fulcrum.conf.Version;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty front of the Admin API: reads whole requests (bodies up to nginx_admin_client_max_body_size,
 * 10 MiB by default as Kong's; a longer one is answered 413 and never read into memory) and runs
 * them on the admin worker, off the event loop. A write's answer
 * goes out when the node serves the change (the worker moves on meanwhile), or after a bounded
 * wait should that never happen.
 */
public final class AdminServer {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final long APPLY_WAIT_SECONDS = 10;

  private AdminServer() {}

  /** @param maxBody the largest request body read, in bytes */
  public static ChannelInitializer<Channel> initializer(AdminApi api, ExecutorService worker, int maxBody) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(new HttpServerCodec())
            .addLast(new HttpObjectAggregator(maxBody))
            .addLast(new Handler(api, worker));
      }
    };
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AdminApi api;
    private final ExecutorService worker;

    Handler(AdminApi api, ExecutorService worker) {
      this.api = api;
      this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      long start = System.nanoTime();
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      String origin = req.headers().get(HttpHeaderNames.ORIGIN);
      if (req.decoderResult().isFailure()) {
        write(ctx, AdminResponse.message(400, "Bad request"), false, false, origin, start);
        return;
      }
      QueryStringDecoder qs = new QueryStringDecoder(utf8(req.uri()));
      byte[] body = ByteBufUtil.getBytes(req.content());
      String method = req.method().name();
      boolean head = method.equals("HEAD");
      AdminRequest request =
          new AdminRequest(method, qs.rawPath(), qs.parameters(), req.headers().copy(), method.equals("GET") || head ? new byte[0] : body);
      try {
        worker.execute(
            () -> {
              AdminResponse response = api.handle(request);
              Runnable answer = () -> write(ctx, response, keepAlive, head, origin, start);
              if (response.appliedVersion <= 0) {
                ctx.executor().execute(answer);
              } else {
                answerWhenApplied(ctx, response.appliedVersion, answer);
              }
            });
      } catch (RejectedExecutionException e) {
        write(ctx, AdminResponse.message(503, "shutting down"), false, head, origin, start);
      }
    }

    /** Answers once the snapshot includes {@code version}, or after a bounded wait. */
    private void answerWhenApplied(ChannelHandlerContext ctx, long version, Runnable answer) {
      AtomicBoolean once = new AtomicBoolean();
      ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
        if (once.compareAndSet(false, true)) {
          LOG.warn("change {} not applied within {} s; answering anyway", version, APPLY_WAIT_SECONDS);
          answer.run();
        }
      }, APPLY_WAIT_SECONDS, TimeUnit.SECONDS);
      api.snapshots().whenApplied(version, () -> ctx.executor().execute(() -> {
        if (once.compareAndSet(false, true)) {
          timeout.cancel(false);
          answer.run();
        }
      }));
    }

    private static void write(
        ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, boolean head, String origin, long start) {
      ByteBuf content;
      String type = null;
      if (r.body != null) {
        content = Unpooled.wrappedBuffer(Json.bytes(r.body));
        type = "application/json; charset=utf-8";
      } else if (r.rawBody != null) {
        content = Unpooled.copiedBuffer(r.rawBody, StandardCharsets.UTF_8);
        type = "text/plain; charset=utf-8";
      } else {
        content = Unpooled.EMPTY_BUFFER;
      }
      FullHttpResponse resp =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status), content);
      if (type != null) {
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      }
      resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin == null ? "*" : origin);
      resp.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      resp.headers().set(HttpHeaderNames.SERVER, Version.SERVER);
      resp.headers().set("X-Kong-Admin-Latency", Long.toString((System.nanoTime() - start) / 1_000_000));
      r.headers.forEach(resp.headers()::set);
      if (head) {
        resp.content().clear();
      }
      if (keepAlive) {
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(resp);
      } else {
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * The request target with raw UTF-8 bytes read as UTF-8 (Netty reads each byte as one
   * character), so an entity named in UTF-8 without percent-encoding is found, as in Kong.
   */
  static String utf8(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      if (uri.charAt(i) > 0x7f) {
        return new String(uri.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
            java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return uri;
  }
}
