package dev.fulcrum.proxy.http;

import dev.fulcrum.model.PathNormalizer;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.router.RouteMatch;
import dev.fulcrum.runtime.ServiceTarget;
import dev.fulcrum.upstream.UpstreamCluster;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import io.netty.channel.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the proxy: route it, pick a target, get a pooled or new upstream
 * connection on the client's event loop, stream the body up and the response down with
 * backpressure both ways, and retry a failed try on another target when that is safe. Everything
 * here runs on one event loop.
 */
final class Exchange implements PickContext, Avoid {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  private final ClientHandler client;
  private final HttpProxy proxy;
  private final Channel clientChannel;
  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private final boolean http10;
  private final boolean clientKeepAlive;

  private RouteMatch<ServiceTarget> match;
  private ServiceTarget service;
  private UpstreamCluster cluster;
  private boolean preserveHost;
  private String path;
  private String query;
  /** A hash cookie this request lacked; sent back with the response (Kong's cookie hashing). */
  private String newHashCookie;
  private String hashCookieValue;
  private long tryStartNanos;

  private UpstreamTarget target;
  private UpstreamTarget[] tried;
  private int tries;
  private ProxyFailure lastFailure;

  private Channel upstream;
  private UpstreamHandler upstreamHandler;
  private String poolKey;
  private boolean reusedConnection;
  private boolean upstreamReusable;

  private boolean expectContinue;
  private boolean continueSent;
  private boolean requestComplete;
  private boolean requestSent;
  private long bodyBytesSent;
  private ArrayDeque<HttpContent> pending;

  private boolean responseStarted;
  private boolean responseComplete;
  private boolean skipInformational;
  private boolean closeClientAfter;
  private boolean upgrading;
  private boolean done;

  private long sentNanos;
  private long lastReadNanos;
  private long blockedSinceNanos;
  private ScheduledFuture<?> timer;

  Exchange(ClientHandler client, Channel clientChannel, HttpRequest request) {
    this.client = client;
    this.proxy = client.proxy;
    this.clientChannel = clientChannel;
    this.request = request;
    this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
  }

  // ---------------------------------------------------------------- routing

  void start() {
    int bad = RequestCheck.status(request);
    if (bad != 0) {
      if (request instanceof HttpContent) {
        // The decoder's stand-in for an unparsable request carries an (empty) body.
        ((HttpContent) request).release();
      }
      closeClientAfter = true;
      // Kong answers oversized headers with 400 "Request header or cookie too large" (nginx 494).
      respondError(bad == 431 ? 400 : bad, ErrorResponses.messageFor(bad), false);
      return;
    }
    HttpHeaders h = request.headers();
    String uri = request.uri();
    String hostHeader = h.get(HttpHeaderNames.HOST);
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      // Absolute form: the URI names the host (RFC 9112 §3.2.2).
      int authorityStart = uri.indexOf("//") + 2;
      int pathStart = uri.indexOf('/', authorityStart);
      hostHeader = uri.substring(authorityStart, pathStart < 0 ? uri.length() : pathStart);
      uri = pathStart < 0 ? "/" : uri.substring(pathStart);
      h.set(HttpHeaderNames.HOST, hostHeader);
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    query = q < 0 ? null : uri.substring(q);
    path = PathNormalizer.normalize(rawPath);
    String host = "";
    int port = client.localPortNumber;
    if (hostHeader != null) {
      int colon = hostHeader.lastIndexOf(':');
      if (colon > 0 && hostHeader.indexOf(']', colon) < 0) {
        host = hostHeader.substring(0, colon);
        try {
          port = Integer.parseInt(hostHeader.substring(colon + 1));
        } catch (NumberFormatException e) {
          closeClientAfter = true;
          respondError(400, ErrorResponses.messageFor(400), false);
          return;
        }
      } else {
        host = hostHeader;
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    match = proxy.snapshots.current().router().match(request.method().name(), host, port, path, h);
    if (match == null) {
      respondError(404, "no Route matched with those values", true);
      return;
    }
    Route route = match.route();
    if (!route.protocols().contains("http")) {
      refuseHttp(route, hostHeader, uri);
      return;
    }
    service = match.service();
    if (service == null) {
      respondError(503, "no Service found with those values", true);
      return;
    }
    preserveHost = route.preserveHost();
    cluster = service.cluster();
    String upstreamPath = PathNormalizer.escape(match.upstreamPath(path, service.service().path()));
    prepareUpstreamRequest(upstreamPath, query, host, rawPath);
    nextTry();
  }

  /** An https-only route reached over plain HTTP: 426, or the configured redirect. */
  private void refuseHttp(Route route, String hostHeader, String uri) {
    int status = route.httpsRedirectStatusCode();
    if (status == 426) {
      FullHttpResponse r =
          ErrorResponses.build(
              clientChannel.alloc(), 426, "Please use HTTPS protocol", request.headers().get(HttpHeaderNames.ACCEPT),
              "application/json", ErrorResponses.requestId(), proxy.serverTokens);
      r.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
      r.headers().set(HttpHeaderNames.UPGRADE, "TLS/1.2, HTTP/1.1");
      sendOwnResponse(r);
      return;
    }
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    String host = hostHeader == null ? "" : hostHeader.replaceFirst(":\\d+$", "");
    r.headers().set(HttpHeaderNames.LOCATION, "https://" + host + uri);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    sendOwnResponse(r);
  }

  private void prepareUpstreamRequest(String upstreamPath, String query, String host, String rawPath) {
    HttpHeaders h = request.headers();
    expectContinue = HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      h.remove(HttpHeaderNames.EXPECT);
    }
    boolean upgrade = ProxyHeaders.isWebSocketUpgrade(h);
    ProxyHeaders.removeHopByHop(h, upgrade);
    h.set(HttpHeaderNames.CONNECTION, upgrade ? "keep-alive, Upgrade" : HttpHeaderValues.KEEP_ALIVE);
    ProxyHeaders.setForwarded(h, client.clientIp, "http", host, client.localPort, rawPath, match.strippedPrefix());
    if (proxy.serverTokens) {
      ProxyHeaders.appendVia(h, http10);
    }
    request.setUri(query == null ? upstreamPath : upstreamPath + query);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  // ------------------------------------------------------------- connecting

  /** Picks a target (another one on a retry) and gets a connection to it. */
  private void nextTry() {
    tries++;
    tryStartNanos = System.nanoTime();
    String host;
    int port;
    SocketAddress address;
    if (cluster != null) {
      target = cluster.pick(this, tries == 1 ? Avoid.NONE : this);
      if (target == null && tries > 1) {
        // Every target was tried: try them again rather than give up early (Kong does too).
        target = cluster.pick(this, Avoid.NONE);
      }
      if (target == null) {
        if (lastFailure != null) {
          respondError(lastFailure.status, ErrorResponses.messageFor(lastFailure.status), false);
        } else {
          respondError(503, "failure to get a peer from the ring-balancer", true);
        }
        return;
      }
      target.state().acquired();
      poolKey = target.target();
      host = target.host();
      port = target.port();
      address = target.address();
      setHost(target.hostHeader());
    } else {
      poolKey = service.hostHeader();
      host = service.service().host();
      port = service.service().port();
      address = service.literalAddress();
      setHost(service.hostHeader());
    }
    UpstreamConnections.LoopPool pool = proxy.upstreams.forLoop(clientChannel.eventLoop());
    Channel idle = pool.poll(poolKey);
    if (idle != null) {
      attach(idle, true);
    } else if (address != null) {
      connect(pool, address);
    } else {
      resolveThenConnect(pool, host, port);
    }
  }

  private void setHost(String hostHeader) {
    if (!preserveHost) {
      request.headers().set(HttpHeaderNames.HOST, hostHeader);
    }
  }

  private void resolveThenConnect(UpstreamConnections.LoopPool pool, String host, int port) {
    Future<InetSocketAddress> resolved = pool.resolve(host, port);
    resolved.addListener(
        f -> {
          if (done) {
            return;
          }
          if (!f.isSuccess()) {
            LOG.debug("cannot resolve {}: {}", host, f.cause().toString());
            respondError(503, "name resolution failed", true);
            return;
          }
          connect(pool, resolved.getNow());
        });
  }

  private void connect(UpstreamConnections.LoopPool pool, SocketAddress address) {
    String key = poolKey;
    ChannelFuture f = pool.connect(address, service.service().connectTimeout());
    f.channel().closeFuture().addListener(c -> pool.remove(key, f.channel()));
    f.addListener(
        c -> {
          if (done) {
            f.channel().close();
            return;
          }
          if (c.isSuccess()) {
            attach(f.channel(), false);
          } else {
            tryFailed(
                c.cause() instanceof ConnectTimeoutException
                    ? ProxyFailure.CONNECT_TIMEOUT
                    : ProxyFailure.CONNECT_FAILED,
                c.cause());
          }
        });
  }

  /** Sends the request head on {@code ch} and starts streaming the body. */
  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    reusedConnection = reused;
    upstreamReusable = true;
    upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    sentNanos = System.nanoTime();
    lastReadNanos = sentNanos;
    ch.write(request, ch.voidPromise());
    if (requestComplete) {
      // A retry of a request whose (empty) body was already read.
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
      requestSent = true;
    } else {
      if (expectContinue && !continueSent) {
        continueSent = true;
        clientChannel.writeAndFlush(
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), clientChannel.voidPromise());
      }
      drainPending();
      if (!requestComplete && !done) {
        client.readNext();
      }
      if (!requestSent && upstream == ch) {
        ch.flush();
      }
    }
    if (!done && upstream == ch) {
      ch.read();
      armTimer(service.service().readTimeout());
    }
  }

  // ------------------------------------------------------------ request body

  void onRequestContent(HttpContent content) {
    if (done || upstream == null) {
      if (done) {
        content.release();
        return;
      }
      if (pending == null) {
        pending = new ArrayDeque<>(2);
      }
      pending.add(content);
      return;
    }
    forward(content);
    if (!requestComplete) {
      if (upstream.isWritable()) {
        client.readNext();
      } else {
        blockedSinceNanos = System.nanoTime();
      }
    }
  }

  private void drainPending() {
    if (pending == null) {
      return;
    }
    HttpContent c;
    while ((c = pending.poll()) != null) {
      forward(c);
    }
  }

  private void forward(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    bodyBytesSent += content.content().readableBytes();
    if (last) {
      requestComplete = true;
      requestSent = true;
      sentNanos = System.nanoTime();
      lastReadNanos = sentNanos;
    }
    upstream.writeAndFlush(content, upstream.voidPromise());
  }

  void onUpstreamWritable() {
    if (!done && !requestComplete && blockedSinceNanos != 0) {
      blockedSinceNanos = 0;
      client.readNext();
    }
  }

  // -------------------------------------------------------------- response

  void onUpstreamMessage(Object msg) {
    if (done) {
      ReferenceCountUtil.release(msg);
      return;
    }
    lastReadNanos = System.nanoTime();
    if (msg instanceof HttpResponse) {
      HttpResponse response = (HttpResponse) msg;
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        upstreamReusable = false;
        if (responseStarted) {
          abort();
        } else {
          tryFailed(ProxyFailure.BAD_RESPONSE, response.decoderResult().cause());
        }
        return;
      }
      int code = response.status().code();
      if (code == 101) {
        upgrading = true;
      }
      if (code < 200 && code != 101) {
        // Interim responses (100, 103) end here: we answered Expect ourselves.
        skipInformational = true;
      } else {
        responseStarted = true;
        if (target != null) {
          long now = System.nanoTime();
          target.state().recordLatency(now - tryStartNanos, now);
          cluster.health().passiveStatus(target.state(), code);
        }
        prepareResponse(response);
        clientChannel.write(response, clientChannel.voidPromise());
      }
    }
    if (!(msg instanceof HttpContent)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    {
      HttpContent content = (HttpContent) msg;
      boolean last = content instanceof LastHttpContent;
      if (skipInformational) {
        content.release();
        skipInformational = !last;
        return;
      }
      if (content.decoderResult().isFailure()) {
        content.release();
        abort();
        return;
      }
      clientChannel.write(content, clientChannel.voidPromise());
      if (last) {
        responseComplete = true;
        if (upgrading) {
          startTunnel();
        }
      }
    }
  }

  private void prepareResponse(HttpResponse response) {
    HttpHeaders h = response.headers();
    long now = System.nanoTime();
    if (!HttpUtil.isKeepAlive(response)) {
      upstreamReusable = false;
    }
    ProxyHeaders.removeHopByHop(h, upgrading);
    if (newHashCookie != null) {
      h.add(HttpHeaderNames.SET_COOKIE, newHashCookie);
    }
    if (upgrading) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      return;
    }
    boolean keepAlive = clientKeepAlive && !closeClientAfter && !proxy.inFlight().draining();
    if (http10 && HttpUtil.isTransferEncodingChunked(response)) {
      // An HTTP/1.0 client cannot read chunks: send the body as is and end it by closing.
      h.remove(HttpHeaderNames.TRANSFER_ENCODING);
      keepAlive = false;
    }
    if (!keepAlive) {
      closeClientAfter = true;
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (proxy.serverTokens) {
      ProxyHeaders.appendVia(h, false);
    }
    if (proxy.latencyTokens) {
      h.set(ProxyHeaders.X_KONG_UPSTREAM_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(now - sentNanos)));
      h.set(ProxyHeaders.X_KONG_PROXY_LATENCY, Long.toString(TimeUnit.NANOSECONDS.toMillis(sentNanos - startNanos)));
    }
  }

  /**
   * The upstream switched protocols (WebSocket): from here on both connections carry opaque bytes,
   * relayed as they come.
   */
  private void startTunnel() {
    done = true;
    cancelTimer();
    releaseTarget();
    upstreamHandler.detach();
    Channel up = upstream;
    client.upgraded(this);
    Relay.join(clientChannel, up);
  }

  void onUpstreamReadComplete() {
    if (done) {
      return;
    }
    clientChannel.flush();
    if (responseComplete) {
      finish();
    } else if (clientChannel.isWritable()) {
      upstream.read();
    }
  }

  void onClientWritable() {
    if (!done && upstream != null && responseStarted) {
      upstream.read();
    }
  }

  /** The response went out whole: recycle the upstream connection and read the next request. */
  private void finish() {
    done = true;
    cancelTimer();
    releaseTarget();
    upstreamHandler.detach();
    boolean reuse =
        upstreamReusable
            && requestSent
            && (proxy.maxRequestsPerConnection == 0 || upstreamHandler.requests() < proxy.maxRequestsPerConnection);
    if (reuse) {
      proxy.upstreams.forLoop(clientChannel.eventLoop()).offer(poolKey, upstream);
    } else {
      upstream.close();
    }
    boolean keepAlive = clientKeepAlive && !closeClientAfter;
    client.exchangeFinished(this, keepAlive, requestComplete);
  }

  // ---------------------------------------------------------------- failures

  void onUpstreamClosed(Throwable cause) {
    if (done) {
      return;
    }
    upstreamReusable = false;
    if (responseComplete) {
      return;
    }
    if (responseStarted) {
      LOG.debug("upstream {} closed mid-response", poolKey);
      abort();
      return;
    }
    tryFailed(ProxyFailure.RESET_BEFORE_RESPONSE, cause);
  }

  /**
   * A try failed before any response byte reached the client: retry on another target when the
   * request can be sent again, else answer with the failure's status.
   */
  private void tryFailed(ProxyFailure failure, Throwable cause) {
    LOG.debug("try {} at {} failed: {} ({})", tries, poolKey, failure, cause == null ? "closed" : cause.toString());
    lastFailure = failure;
    cancelTimer();
    boolean staleKeepAlive = reusedConnection && failure == ProxyFailure.RESET_BEFORE_RESPONSE;
    if (target != null && !staleKeepAlive) {
      cluster.health().passiveFailure(target.state(), failure.timeout);
    }
    releaseTarget();
    detachUpstream();
    boolean replayable = bodyBytesSent == 0;
    boolean mayResend = failure.beforeSend || staleKeepAlive || isIdempotent();
    if (replayable && mayResend && !responseStarted) {
      if (staleKeepAlive) {
        // The server closed an idle connection as we reused it: not the target's fault and not
        // a retry in Kong's sense, so it does not count.
        tries--;
      }
      if (tries <= service.service().retries()) {
        rememberTried();
        requestSent = false;
        nextTry();
        return;
      }
    }
    if (!requestComplete) {
      closeClientAfter = true;
    }
    respondError(failure.status, ErrorResponses.messageFor(failure.status), false);
  }

  private boolean isIdempotent() {
    HttpMethod m = request.method();
    return m.equals(HttpMethod.GET)
        || m.equals(HttpMethod.HEAD)
        || m.equals(HttpMethod.PUT)
        || m.equals(HttpMethod.DELETE)
        || m.equals(HttpMethod.OPTIONS)
        || m.equals(HttpMethod.TRACE);
  }

  private void rememberTried() {
    if (target == null) {
      return;
    }
    if (tried == null) {
      tried = new UpstreamTarget[Math.max(2, service.service().retries() + 1)];
    }
    for (int i = 0; i < tried.length; i++) {
      if (tried[i] == null) {
        tried[i] = target;
        return;
      }
    }
  }

  /** PickContext: the request's value for a consistent-hashing source. */
  @Override
  public String hashValue(Upstream.HashSpec spec) {
    switch (spec.source()) {
      case "ip":
        return client.clientIp;
      case "header":
        return HashKeys.header(request.headers(), spec.name());
      case "path":
        return path;
      case "query_arg":
        return HashKeys.queryArg(query, spec.name());
      case "uri_capture":
        return capture(spec.name());
      case "cookie":
        return hashCookie(spec.name());
      default:
        // "consumer" needs authentication, which this gateway does not do yet: fall back.
        return null;
    }
  }

  private String capture(String name) {
    Matcher m = match.captures();
    if (m == null) {
      return null;
    }
    try {
      return name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }

  /** The hash cookie, made up (and later set on the response) when the client has none. */
  private String hashCookie(String name) {
    String value = HashKeys.cookie(request.headers(), name);
    if (value != null) {
      return value;
    }
    if (newHashCookie == null) {
      value = java.util.UUID.randomUUID().toString();
      newHashCookie = name + "=" + value + "; Path=" + cluster.upstream().hashOnCookiePath() + "; Same-Site=Lax; HttpOnly";
      hashCookieValue = value;
    }
    return hashCookieValue;
  }

  /** Avoid: targets already tried by this request. */
  @Override
  public boolean avoid(UpstreamTarget t) {
    if (tried == null) {
      return false;
    }
    for (UpstreamTarget x : tried) {
      if (x == t) {
        return true;
      }
    }
    return false;
  }

  private void detachUpstream() {
    if (upstream != null) {
      upstreamHandler.detach();
      upstream.close();
      upstream = null;
      upstreamHandler = null;
    }
  }

  private void releaseTarget() {
    if (target != null) {
      target.state().released();
      target = null;
    }
  }

  /** The client left, or the response broke mid-way: close both sides. */
  private void abort() {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    releaseTarget();
    detachUpstream();
    releasePending();
    clientChannel.close();
  }

  void onClientClosed() {
    abort();
  }

  private void releasePending() {
    if (pending != null) {
      pending.forEach(ReferenceCountUtil::release);
      pending.clear();
    }
  }

  // ------------------------------------------------------------------ timers

  private void armTimer(long millis) {
    if (timer == null) {
      timer = clientChannel.eventLoop().schedule(this::onTimer, millis, TimeUnit.MILLISECONDS);
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  /** One timer per exchange: it re-arms itself for the remaining time instead of per read. */
  private void onTimer() {
    timer = null;
    if (done || upstream == null) {
      return;
    }
    long now = System.nanoTime();
    long deadline;
    ProxyFailure failure;
    if (!requestComplete && blockedSinceNanos != 0) {
      deadline = blockedSinceNanos + TimeUnit.MILLISECONDS.toNanos(service.service().writeTimeout());
      failure = ProxyFailure.WRITE_TIMEOUT;
    } else if (!requestComplete) {
      // Waiting for the client to send more body: not the upstream's time.
      armTimer(service.service().readTimeout());
      return;
    } else {
      deadline = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(service.service().readTimeout());
      failure = ProxyFailure.READ_TIMEOUT;
    }
    if (now < deadline) {
      timer = clientChannel.eventLoop().schedule(this::onTimer, deadline - now, TimeUnit.NANOSECONDS);
      return;
    }
    upstreamReusable = false;
    if (responseStarted) {
      abort();
    } else {
      tryFailed(failure, null);
    }
  }

  // --------------------------------------------------------------- responses

  /**
   * Answers the client with one of Kong's error bodies.
   *
   * @param gatewayDecision routing and balancing errors (JSON unless Accept says otherwise);
   *     upstream failures follow error_default_type
   */
  private void respondError(int status, String message, boolean gatewayDecision) {
    FullHttpResponse r =
        ErrorResponses.build(
            clientChannel.alloc(),
            status,
            message,
            request.headers().get(HttpHeaderNames.ACCEPT),
            gatewayDecision ? "application/json" : proxy.errorDefaultType,
            ErrorResponses.requestId(),
            proxy.serverTokens);
    sendOwnResponse(r);
  }

  private void sendOwnResponse(FullHttpResponse r) {
    if (done) {
      r.release();
      return;
    }
    done = true;
    cancelTimer();
    releaseTarget();
    detachUpstream();
    releasePending();
    if (proxy.latencyTokens) {
      r.headers().set(
          ProxyHeaders.X_KONG_RESPONSE_LATENCY,
          Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));
    }
    // A client waiting for 100 Continue will never send the body we did not ask for.
    boolean bodyNeverComing = expectContinue && !continueSent && !requestComplete;
    boolean keepAlive = clientKeepAlive && !closeClientAfter && !bodyNeverComing && !proxy.inFlight().draining();
    if (!keepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (request.method().equals(HttpMethod.HEAD)) {
      r.content().clear();
    }
    clientChannel.writeAndFlush(r, clientChannel.voidPromise());
    client.exchangeFinished(this, keepAlive, requestComplete);
  }
}
