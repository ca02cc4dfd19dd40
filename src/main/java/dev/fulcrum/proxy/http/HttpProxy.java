package dev.fulcrum.proxy.http;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.runtime.Frontend;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.List;

/**
 * The L7 proxy of a node: what its client and upstream connections share (the snapshot, the
 * connection pools, header settings) and how their pipelines are built.
 */
public final class HttpProxy implements AutoCloseable {
  /** Longest request line, as nginx's large_client_header_buffers (8k); longer gets 414. */
  static final int MAX_INITIAL_LINE = 8192;
  /** All request headers together; more gets 431. */
  static final int MAX_HEADER_SIZE = 32768;
  /** Body chunks are passed on in pieces of at most this size. */
  static final int MAX_CHUNK = 64 * 1024;

  final UpstreamConnections upstreams;
  final int maxRequestsPerConnection;
  private final KongRouting kong;
  private final KongHeaders kongHeaders;
  private final InFlight inFlight = new InFlight();

  public HttpProxy(SnapshotHolder snapshots, NodeSettings settings) {
    boolean serverTokens = settings.header("server_tokens");
    boolean latencyTokens = settings.header("latency_tokens");
    this.kong = new KongRouting(snapshots, new KongErrors(serverTokens, latencyTokens, settings.errorDefaultType()),
        settings.keepaliveTimeoutMillis(), settings.headerTimeoutMillis(), settings.bodyTimeoutMillis());
    this.kongHeaders = new KongHeaders(serverTokens, latencyTokens);
    this.maxRequestsPerConnection = settings.keepaliveMaxRequests();
    this.upstreams =
        new UpstreamConnections(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast("codec", new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE * 2, MAX_CHUNK))
                    .addLast("upstream", new UpstreamHandler());
              }
            },
            settings.keepalivePoolSize(),
            settings.keepaliveIdleTimeout());
  }

  /** Pipeline of an accepted client connection of a Kong proxy listener. */
  public ChannelInitializer<Channel> clientInitializer() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        init(ch, kong);
      }
    };
  }

  /** Makes an accepted connection an HTTP client connection routed by {@code routing}. */
  public void init(Channel ch, HttpRouting routing) {
    ClientHandler client = new ClientHandler(this, routing);
    ch.pipeline()
        .addLast("head-clock", new HeadClock(client))
        .addLast("codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CHUNK))
        .addLast("client", client);
  }

  /** The steps every Kong service's requests take (Kong's response headers). */
  public List<HttpStep> kongServiceSteps() {
    return List.of(kongHeaders);
  }

  /** The routing of a haproxy.cfg {@code mode http} frontend. */
  public static HttpRouting routing(Frontend frontend) {
    return new FrontendRouting(frontend);
  }

  /** Exchanges and connections in progress, for graceful stop. */
  public InFlight inFlight() {
    return inFlight;
  }

  /** Closes a client connection unless a request is being served on it (graceful stop). */
  public static void closeIfIdle(Channel ch) {
    ch.eventLoop()
        .execute(
            () -> {
              ClientHandler h = ch.pipeline().get(ClientHandler.class);
              if (h == null || h.idle()) {
                ch.close();
              }
            });
  }

  @Override
  public void close() {
    upstreams.close();
  }
}
