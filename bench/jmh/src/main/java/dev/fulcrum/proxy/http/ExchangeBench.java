package dev.fulcrum.proxy.http;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.model.Json;
import dev.fulcrum.runtime.Frontend;
import dev.fulcrum.runtime.HttpTarget;
import dev.fulcrum.runtime.KongChanges;
import dev.fulcrum.runtime.KongCompiler;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.model.Dialect;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.HealthRules;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.TargetStates;
import dev.fulcrum.upstream.Timeouts;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Balancers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java side of one proxied keep-alive request, without sockets: a client connection (server
 * codec, ClientHandler) and a pooled upstream connection (client codec, UpstreamHandler) on
 * embedded channels; request bytes in, the upstream's response bytes back. What is left is the
 * HTTP codecs and Fulcrum's own pipeline: routing, steps, balancing, counters, headers. Either a
 * Kong route (the Kong compiler, Kong's headers) or a haproxy.cfg frontend (no rewriting).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ExchangeBench {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 8000);

  @Param({"kong", "haproxy"})
  public String dialect;

  private HttpProxy proxy;
  private EmbeddedChannel client;
  private EmbeddedChannel upstream;
  private ByteBuf request;
  private ByteBuf response;

  @Setup(Level.Trial)
  public void setUp() {
    SnapshotHolder holder = new SnapshotHolder();
    proxy = new HttpProxy(holder, NodeSettings.load(null, Map.of(), Map.of()));
    ChannelHandler init;
    if (dialect.equals("kong")) {
      KongChanges c = new KongChanges();
      c.upstream("u1", Upstream.from(Json.parseObject("{\"id\":\"u1\",\"name\":\"u\",\"algorithm\":\"round-robin\"}")));
      c.target("t1", Target.from(Json.parseObject("{\"id\":\"t1\",\"upstream\":{\"id\":\"u1\"},\"target\":\"127.0.0.1:9\",\"weight\":100}")));
      c.service("s1", Service.from(Json.parseObject("{\"id\":\"s1\",\"name\":\"s\",\"protocol\":\"http\",\"host\":\"u\",\"port\":80}")));
      c.route("r1", Route.from(Json.parseObject("{\"id\":\"r1\",\"protocols\":[\"http\",\"https\"],\"paths\":[\"/\"],\"strip_path\":false,\"service\":{\"id\":\"s1\"}}")));
      holder.setKong(new KongCompiler(new TargetStates(), ServerEvents.NONE, proxy.kongServiceSteps()).apply(1, c));
      init = proxy.clientInitializer();
    } else {
      UpstreamTarget t = new UpstreamTarget("127.0.0.1:9", "127.0.0.1", 9, 1, 0, new TargetState("t"), "127.0.0.1:9",
          true, UpstreamTarget.ServerOptions.kong("127.0.0.1:9", 0));
      Backend b = new Backend(new Backend.Spec("be", Dialect.HAPROXY, Algorithm.ROUNDROBIN, HealthRules.OFF, 1, false),
          List.of(t), Balancers.haproxy(Algorithm.ROUNDROBIN, List.of(t), false, null, false, 2), new BackendState(),
          ServerEvents.NONE);
      Destination d = new Destination(b, RetryPolicy.kong(3), new Timeouts(5000, 60000, 60000, 0, 0), true);
      Frontend.Rule rule = new Frontend.Rule(f -> true, new HttpTarget(d, List.of(), null), null);
      Frontend fe = new Frontend(new Frontend.Spec("fe", 2, true, List.of(), null, 60000, 60000), List.of(), rule,
          new Counters(), new ConnectionLimit(0, null));
      HttpRouting routing = HttpProxy.routing(fe);
      init = new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
        @Override
        protected void initChannel(io.netty.channel.Channel ch) {
          proxy.init(ch, routing);
        }
      };
    }
    client = new EmbeddedChannel(init) {
      @Override
      protected SocketAddress remoteAddress0() {
        return CLIENT;
      }

      @Override
      protected SocketAddress localAddress0() {
        return LISTENER;
      }
    };
    upstream = new EmbeddedChannel(new HttpClientCodec(), new UpstreamHandler());
    request = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
        "GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: wrk\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    response = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(
        ("HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: Tue, 01 Dec 2026 06:00:00 GMT\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 20\r\nConnection: keep-alive\r\n\r\nhello from target 1\n").getBytes(StandardCharsets.US_ASCII)));
  }

  @Benchmark
  public int proxiedRequest() {
    // Pools are per thread (JMH may measure on another thread than the one that set up), and an
    // upstream connection is retired after upstream_keepalive_max_requests: open another.
    if (proxy.upstreams.forLoop(client.eventLoop()).idleCount() == 0) {
      if (!upstream.isActive()) {
        upstream.finishAndReleaseAll();
        upstream = new EmbeddedChannel(new HttpClientCodec(), new UpstreamHandler());
      }
      proxy.upstreams.forLoop(client.eventLoop()).offer("127.0.0.1:9", upstream);
    }
    client.writeInbound(request.duplicate());
    int n = drain(upstream);
    upstream.writeInbound(response.duplicate());
    return n + drain(client);
  }

  private static int drain(EmbeddedChannel ch) {
    int n = 0;
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      n += b.readableBytes();
      b.release();
    }
    if (n == 0) {
      throw new IllegalStateException("nothing came out: the exchange is stuck");
    }
    return n;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
    proxy.close();
  }
}
