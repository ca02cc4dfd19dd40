package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.Dialect;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.plugin.rules.DenyRule;
import dev.fulcrum.runtime.HttpTarget;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.HealthRules;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.Timeouts;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancers;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request pipeline's handlers without sockets: the client connection is an {@link
 * EmbeddedChannel} running the server codec and {@link ClientHandler}; upstream connections are
 * embedded channels with the client codec and {@link UpstreamHandler}, waiting in the connection
 * pool as idle keep-alive connections would. Bytes go in, bytes come out.
 */
class ExchangeTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 8000);

  private HttpProxy proxy;
  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final Counters counters = new Counters();

  @BeforeEach
  void proxy() {
    proxy = new HttpProxy(new SnapshotHolder(), NodeSettings.load(null, Map.of(), Map.of()));
  }

  @AfterEach
  void release() {
    for (EmbeddedChannel ch : channels) {
      ch.finishAndReleaseAll();
    }
    proxy.close();
  }

  /** A routing that sends everything to one server, with the given steps before and after routing. */
  private HttpRouting routing(List<HttpStep> listenerSteps, List<HttpStep> targetSteps) {
    UpstreamTarget t = new UpstreamTarget("127.0.0.1:9", "127.0.0.1", 9, 1, 0, new TargetState("t"), "server.test", false,
        UpstreamTarget.ServerOptions.kong("127.0.0.1:9", 0));
    Backend backend = new Backend(
        new Backend.Spec("be", Dialect.HAPROXY, Algorithm.NONE, HealthRules.OFF, 0, false), List.of(t),
        Balancers.single(t), new BackendState(), ServerEvents.NONE);
    Destination d = new Destination(backend, RetryPolicy.kong(2), new Timeouts(1000, 5000, 5000, 0, 0), false, null);
    HttpTarget target = new HttpTarget(d, targetSteps, null);
    return routing(listenerSteps, r -> Routed.forward(target, null));
  }

  private HttpRouting routing(List<HttpStep> steps, java.util.function.Function<RequestInfo, Routed> route) {
    return new HttpRouting() {
      @Override
      public List<HttpStep> steps() {
        return steps;
      }

      @Override
      public Routed route(RequestInfo request) {
        return route.apply(request);
      }

      @Override
      public ErrorPages errors() {
        return HaproxyErrors.INSTANCE;
      }

      @Override
      public long idleTimeoutMillis() {
        return 0;
      }

      @Override
      public Counters counters() {
        return counters;
      }
    };
  }

  /** A client connection of a listener routed by {@code routing}. */
  private EmbeddedChannel client(HttpRouting routing) {
    // Handlers given to the constructor see the channel become active, as on a socket.
    EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new ClientHandler(proxy, routing)) {
      @Override
      protected SocketAddress remoteAddress0() {
        return CLIENT;
      }

      @Override
      protected SocketAddress localAddress0() {
        return LISTENER;
      }
    };
    channels.add(ch);
    return ch;
  }

  /** An idle keep-alive connection to the server, pooled on the client's loop. */
  private EmbeddedChannel pooledUpstream(EmbeddedChannel client) {
    EmbeddedChannel up = new EmbeddedChannel(new HttpClientCodec(), new UpstreamHandler());
    pool(client).offer("127.0.0.1:9", up);
    channels.add(up);
    return up;
  }

  private UpstreamConnections.LoopPool pool(EmbeddedChannel client) {
    return proxy.upstreams.forLoop(client.eventLoop());
  }

  private static void send(EmbeddedChannel ch, String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    ch.runPendingTasks();
  }

  /** Everything written to {@code ch} so far. */
  private static String written(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf b = (ByteBuf) o;
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return sb.toString();
  }

  @Test
  void aRequestGoesUpAndItsResponseComesBackOnAPooledConnection() {
    EmbeddedChannel client = client(routing(List.of(), List.of()));
    EmbeddedChannel up = pooledUpstream(client);
    send(client, "GET /a?b=1 HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\n");
    String request = written(up);
    assertThat(request).startsWith("GET /a?b=1 HTTP/1.1\r\n").contains("host: server.test\r\n")
        .doesNotContainIgnoringCase("x-hop");
    send(up, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    String response = written(client);
    assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
    assertThat(pool(client).idleCount()).as("back in the pool").isEqualTo(1);
    assertThat(counters.responses[1].sum()).isEqualTo(1);
  }

  @Test
  void theBodyStreamsUpAfterA100ContinueOnceAServerIsReached() {
    EmbeddedChannel client = client(routing(List.of(), List.of()));
    EmbeddedChannel up = pooledUpstream(client);
    send(client, "POST /in HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    assertThat(written(client)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
    assertThat(written(up)).startsWith("POST /in HTTP/1.1\r\n").doesNotContainIgnoringCase("expect");
    send(client, "hello");
    assertThat(written(up)).isEqualTo("hello");
    send(up, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
    assertThat(written(client)).startsWith("HTTP/1.1 201 Created\r\n");
  }

  @Test
  void aStepMayPauseTheExchangeAndResumeIt() {
    AtomicReference<StepContext> paused = new AtomicReference<>();
    HttpStep waits = new HttpStep() {
      @Override
      public Flow onRequest(StepContext ctx) {
        paused.set(ctx);
        ctx.request().headers().set("X-Looked-Up", "yes");
        return Flow.PAUSE;
      }
    };
    EmbeddedChannel client = client(routing(List.of(waits), List.of()));
    EmbeddedChannel up = pooledUpstream(client);
    send(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(written(up)).as("nothing goes up while a step waits").isEmpty();
    paused.get().resume();
    client.runPendingTasks();
    assertThat(written(up)).startsWith("GET / HTTP/1.1\r\n").containsIgnoringCase("x-looked-up: yes\r\n");
  }

  @Test
  void aStepMayAnswerAndNoServerIsAsked() {
    EmbeddedChannel client = client(routing(List.of(new DenyRule(403, null)), List.of()));
    EmbeddedChannel up = pooledUpstream(client);
    send(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(written(client)).startsWith("HTTP/1.1 403 Forbidden\r\n")
        .endsWith("<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n");
    assertThat(written(up)).isEmpty();
    assertThat(pool(client).idleCount()).isEqualTo(1);
  }

  @Test
  void responseStepsOfTheTargetRunBeforeTheListenersOnTheResponseHead() {
    List<String> order = new ArrayList<>();
    HttpStep listener = new HttpStep() {
      @Override
      public void onResponse(StepContext ctx, HttpResponse r) {
        order.add("listener");
        r.headers().set("X-Step", r.headers().get("X-Step") + ",listener");
      }
    };
    HttpStep target = new HttpStep() {
      @Override
      public void onResponse(StepContext ctx, HttpResponse r) {
        order.add("target");
        r.headers().set("X-Step", "target");
      }
    };
    EmbeddedChannel client = client(routing(List.of(listener), List.of(target)));
    EmbeddedChannel up = pooledUpstream(client);
    send(client, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    written(up);
    send(up, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(written(client)).containsIgnoringCase("x-step: target,listener\r\n");
    assertThat(order).containsExactly("target", "listener");
  }

  @Test
  void aStaleConnectionClosedByTheServerIsRetriedOnAnother() {
    EmbeddedChannel client = client(routing(List.of(), List.of()));
    EmbeddedChannel older = pooledUpstream(client);
    EmbeddedChannel newer = pooledUpstream(client);
    send(client, "POST /once HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertThat(written(newer)).startsWith("POST /once");
    newer.close();
    client.runPendingTasks();
    assertThat(written(older)).as("a reused connection the server had closed is no try").startsWith("POST /once");
    send(older, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(written(client)).startsWith("HTTP/1.1 200 OK\r\n");
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheirOrder() {
    int[] n = {0};
    EmbeddedChannel client = client(routing(List.of(), r -> Routed.answer(text(200, "answer " + (++n[0])))));
    send(client, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
    String out = written(client);
    assertThat(out.indexOf("answer 1")).isPositive().isLessThan(out.indexOf("answer 2"));
  }

  @Test
  void aLocalAnswerStreamsOnlyWhileTheClientTakesIt() {
    List<Boolean> writableAtEachPiece = new ArrayList<>();
    boolean[] closed = {false};
    EmbeddedChannel[] holder = new EmbeddedChannel[1];
    LocalResponse.Body body = new LocalResponse.Body() {
      int left = 64;

      @Override
      public ByteBuf next(ByteBufAllocator alloc) {
        if (left-- == 0) {
          return null;
        }
        writableAtEachPiece.add(holder[0].isWritable());
        return alloc.buffer(1024).writeZero(1024);
      }

      @Override
      public void close() {
        closed[0] = true;
      }
    };
    EmbeddedChannel client = client(routing(List.of(), r -> {
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 64 * 1024);
      return Routed.answer(new LocalResponse(head, body));
    }));
    holder[0] = client;
    client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(2048, 4096));
    send(client, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    String out = written(client);
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n");
    assertThat(out.length() - out.indexOf("\r\n\r\n") - 4).isEqualTo(64 * 1024);
    assertThat(writableAtEachPiece).hasSize(64).doesNotContain(false);
    assertThat(closed[0]).isTrue();
  }

  @Test
  void aMalformedRequestGetsTheDialectsBadRequestAndTheConnectionCloses() {
    EmbeddedChannel client = client(routing(List.of(), List.of()));
    send(client, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(written(client)).startsWith("HTTP/1.1 400 Bad request\r\n").containsIgnoringCase("connection: close");
    assertThat(counters.requestErrors.sum()).isEqualTo(1);
  }

  private static LocalResponse text(int status, String text) {
    ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    io.netty.handler.codec.http.DefaultFullHttpResponse r =
        new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return LocalResponse.full(r);
  }
}
