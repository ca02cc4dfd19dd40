package dev.fulcrum.proxy.http;

import dev.fulcrum.model.Upstream;
import dev.fulcrum.upstream.BackendQueue;
import dev.fulcrum.upstream.Retries;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.PickContext;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the proxy: have it routed (the listener's {@link HttpRouting}
 * says where and by which rules, as a {@link Dispatch}), pick a server, get a pooled or new
 * upstream connection on the client's event loop, stream the body up and the response down with
 * backpressure both ways, and retry a failed try when the rules allow it. Everything here runs on
 * one event loop.
 */
final class Exchange implements PickContext, BackendQueue.Waiter {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  private final ClientHandler client;
  private final HttpProxy proxy;
  private final Channel clientChannel;
  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private final boolean http10;
  private final boolean clientKeepAlive;

  private RequestInfo info;
  private Dispatch dispatch;
  private long tryStartNanos;

  private UpstreamTarget target;
  private UpstreamTarget lastTarget;
  private Retries retries;
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
  private long responseBytes;
  private int status = -1;
  private ArrayDeque<HttpContent> pending;

  private boolean responseStarted;
  private boolean responseComplete;
  private boolean skipInformational;
  private boolean closeClientAfter;
  private boolean upgrading;
  private boolean done;
  private boolean queued;
  private long queuedSinceNanos;
  private long queueMillis;

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
      sendOwnResponse(client.routing.badRequest(clientChannel.alloc(), bad, request));
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
      request.setUri(uri);
    }
    int q = uri.indexOf('?');
    String rawPath = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? null : uri.substring(q);
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
          sendOwnResponse(client.routing.badRequest(clientChannel.alloc(), 400, request));
          return;
        }
      } else {
        host = hostHeader;
      }
      host = host.toLowerCase(Locale.ROOT);
    }
    info = new RequestInfo(request, hostHeader, host, port, rawPath, query, uri, client.remote, client.local,
        client.clientIp, client.localPort);
    dispatch = client.routing.route(info);
    FullHttpResponse answer = dispatch.localAnswer(clientChannel.alloc());
    if (answer != null) {
      sendOwnResponse(answer);
      return;
    }
    retries = new Retries(dispatch.retry());
    prepareUpstreamRequest();
    nextTry();
  }

  private void prepareUpstreamRequest() {
    HttpHeaders h = request.headers();
    expectContinue = HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      h.remove(HttpHeaderNames.EXPECT);
    }
    boolean upgrade = ProxyHeaders.isWebSocketUpgrade(h);
    ProxyHeaders.removeHopByHop(h, upgrade);
    h.set(HttpHeaderNames.CONNECTION, upgrade ? "keep-alive, Upgrade" : HttpHeaderValues.KEEP_ALIVE);
    dispatch.prepare(request);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  // ------------------------------------------------------------- connecting

  /** Picks a server (another one after a failure, per the rules) and gets a connection to it. */
  private void nextTry() {
    tryStartNanos = System.nanoTime();
    String host;
    int port;
    SocketAddress address;
    if (dispatch.balanced()) {
      UpstreamTarget t = retries.acquire(dispatch, this);
      if (t == null) {
        if (dispatch.queueable()) {
          enqueue();
          return;
        }
        leaveQueue();
        if (lastFailure != null) {
          respondError(dispatch.status(lastFailure), false);
        } else {
          respondError(503, true);
        }
        return;
      }
      leaveQueue();
      target = t;
      lastTarget = t;
      poolKey = t.target();
      host = t.host();
      port = t.port();
      address = t.address();
    } else {
      poolKey = dispatch.fixedPoolKey();
      host = dispatch.fixedHost();
      port = dispatch.fixedPort();
      address = dispatch.fixedAddress();
    }
    dispatch.beforeSend(request, target);
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

  private void resolveThenConnect(UpstreamConnections.LoopPool pool, String host, int port) {
    Future<InetSocketAddress> resolved = pool.resolve(host, port);
    resolved.addListener(
        f -> {
          if (done) {
            return;
          }
          if (!f.isSuccess()) {
            LOG.debug("cannot resolve {}: {}", host, f.cause().toString());
            sendOwnResponse(dispatch.error(clientChannel.alloc(), 503, false));
            return;
          }
          connect(pool, resolved.getNow());
        });
  }

  private void connect(UpstreamConnections.LoopPool pool, SocketAddress address) {
    String key = poolKey;
    ChannelFuture f = pool.connect(address, (int) Math.min(Integer.MAX_VALUE, dispatch.connectTimeoutMillis()));
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
                c.cause() instanceof ConnectTimeoutException ? ProxyFailure.CONNECT_TIMEOUT : ProxyFailure.CONNECT_FAILED,
                c.cause());
          }
        });
  }

  /** Sends the request head on {@code ch} and starts streaming the body. */
  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    reusedConnection = reused;
    upstreamReusable = true;
    if (target != null) {
      long connectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tryStartNanos);
      dispatch.onConnected(target, queueMillis, connectMillis, reused);
    }
    upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    lastReadNanos = System.nanoTime();
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
      armTimer(dispatch.readTimeoutMillis());
    }
  }

  // ------------------------------------------------------------------- queue

  /**
   * Every usable server is at its maxconn: wait for a slot (HAProxy's backend queue). A request
   * woken too late (another took the slot) keeps its place at the head.
   */
  private void enqueue() {
    if (queued) {
      dispatch.queue().addFirst(this);
      return;
    }
    queued = true;
    queuedSinceNanos = System.nanoTime();
    dispatch.queue().add(this);
    long t = dispatch.queueTimeoutMillis();
    if (t > 0) {
      timer = clientChannel.eventLoop().schedule(this::queueTimeout, t, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public EventLoop loop() {
    return clientChannel.eventLoop();
  }

  @Override
  public boolean wake() {
    if (done || !queued) {
      return false;
    }
    nextTry();
    return true;
  }

  /** Out of the queue (served, or given up): its timer goes, the time it waited is kept. */
  private void leaveQueue() {
    if (queued) {
      queued = false;
      dispatch.queue().remove(this);
      cancelTimer();
      queueMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queuedSinceNanos);
    }
  }

  private void queueTimeout() {
    timer = null;
    if (queued && dispatch.queue().remove(this)) {
      queued = false;
      respondError(503, true);
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
      lastReadNanos = System.nanoTime();
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
      } else if (retryOnStatus(code)) {
        // HAProxy's retry-on <status>: this answer is dropped and the request tried again.
        ReferenceCountUtil.release(msg);
        upstreamReusable = false;
        tryFailed(ProxyFailure.RETRYABLE_STATUS, null);
        return;
      } else {
        responseStarted = true;
        status = code;
        prepareResponse(response);
        dispatch.onResponse(response, target, System.nanoTime() - tryStartNanos, upgrading);
        clientChannel.write(response, clientChannel.voidPromise());
      }
    }
    if (!(msg instanceof HttpContent)) {
      ReferenceCountUtil.release(msg);
      return;
    }
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
    responseBytes += content.content().readableBytes();
    clientChannel.write(content, clientChannel.voidPromise());
    if (last) {
      responseComplete = true;
      if (upgrading) {
        startTunnel();
      }
    }
  }

  private boolean retryOnStatus(int code) {
    RetryPolicy p = dispatch.retry();
    return !responseStarted && p.retriesStatus(code) && bodyBytesSent == 0 && retries.remaining();
  }

  private void prepareResponse(HttpResponse response) {
    HttpHeaders h = response.headers();
    if (!HttpUtil.isKeepAlive(response)) {
      upstreamReusable = false;
    }
    ProxyHeaders.removeHopByHop(h, upgrading);
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
  }

  /**
   * The upstream switched protocols (WebSocket): from here on both connections carry opaque bytes,
   * relayed as they come.
   */
  private void startTunnel() {
    done = true;
    cancelTimer();
    complete();
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
    complete();
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
   * A try failed before any response byte reached the client: try again when the dispatch's rules
   * allow it and the request can be sent again (no body byte sent yet), else answer with the
   * failure's status.
   */
  private void tryFailed(ProxyFailure failure, Throwable cause) {
    LOG.debug("try at {} failed: {} ({})", poolKey, failure, cause == null ? "closed" : cause.toString());
    lastFailure = failure;
    cancelTimer();
    boolean stale = reusedConnection && failure == ProxyFailure.RESET_BEFORE_RESPONSE;
    UpstreamTarget failed = target;
    dispatch.onFailure(failed, failure, stale);
    boolean failedRunning = failed != null && failed.usable();
    boolean reused = reusedConnection;
    releaseTarget();
    detachUpstream();
    RetryPolicy p = dispatch.retry();
    boolean replayable = bodyBytesSent == 0 && !responseStarted;
    boolean mayResend = failure.beforeSend || stale || !p.idempotentOnly() || isIdempotent();
    if (replayable && (stale || (allowedBy(p, failure) && mayResend && retries.remaining()))) {
      boolean severalActive = dispatch.severalActive();
      boolean redispatch;
      if (stale) {
        // A server closing an idle connection as we reused it is no try of its own.
        redispatch = true;
        if (failed != null) {
          retries.avoidFromNowOn(failed);
        }
      } else {
        redispatch = retries.next(failed, failedRunning, severalActive);
        if (failed != null && !redispatch) {
          dispatch.onRetrySameServer(failed);
        }
      }
      requestSent = false;
      long delay = retries.delayMillis(redispatch, severalActive, failure == ProxyFailure.CONNECT_FAILED && !reused);
      if (delay > 0) {
        timer = clientChannel.eventLoop().schedule(() -> {
          timer = null;
          if (!done) {
            nextTry();
          }
        }, delay, TimeUnit.MILLISECONDS);
      } else {
        nextTry();
      }
      return;
    }
    if (!requestComplete) {
      closeClientAfter = true;
    }
    respondError(dispatch.status(failure), false);
  }

  /** Which failures the policy retries (HAProxy's retry-on keywords). */
  private static boolean allowedBy(RetryPolicy p, ProxyFailure f) {
    switch (f) {
      case CONNECT_FAILED:
      case CONNECT_TIMEOUT:
        return p.connFailure();
      case RESET_BEFORE_RESPONSE:
        return p.emptyResponse();
      case BAD_RESPONSE:
        return p.junkResponse();
      case READ_TIMEOUT:
        return p.responseTimeout();
      case RETRYABLE_STATUS:
        return true;
      default:
        return false;
    }
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

  // -------------------------------------------------------------- pick context

  @Override
  public String hashValue(Upstream.HashSpec spec) {
    return dispatch.hashValue(spec);
  }

  @Override
  public int sourceKey() {
    return PickContext.sourceKeyOf(info.client.getAddress());
  }

  @Override
  public String uri() {
    return info.uri;
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
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
      UpstreamTarget t = target;
      target = null;
      dispatch.release(t);
    }
  }

  /** Tells the dispatch and the routing once that the request is over. */
  private void complete() {
    if (dispatch != null) {
      dispatch.onComplete(lastTarget, status, bodyBytesSent, responseBytes, System.nanoTime() - startNanos);
    }
    client.routing.responded(status);
  }

  /** The client left, or the response broke mid-way: close both sides. */
  private void abort() {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    leaveQueue();
    complete();
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
    if (timer == null && millis > 0) {
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
      long write = dispatch.writeTimeoutMillis();
      if (write <= 0) {
        armTimer(dispatch.readTimeoutMillis());
        return;
      }
      deadline = blockedSinceNanos + TimeUnit.MILLISECONDS.toNanos(write);
      failure = ProxyFailure.WRITE_TIMEOUT;
    } else if (!requestComplete) {
      // Waiting for the client to send more body: not the upstream's time.
      armTimer(dispatch.readTimeoutMillis());
      return;
    } else {
      deadline = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(dispatch.readTimeoutMillis());
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
   * Answers the client with the dispatch's error page.
   *
   * @param gatewayDecision routing and balancing errors (Kong: JSON unless Accept says
   *     otherwise); upstream failures follow error_default_type
   */
  private void respondError(int status, boolean gatewayDecision) {
    sendOwnResponse(dispatch.error(clientChannel.alloc(), status, gatewayDecision));
  }

  private void sendOwnResponse(FullHttpResponse r) {
    if (done) {
      r.release();
      return;
    }
    done = true;
    status = r.status().code();
    responseBytes = r.content().readableBytes();
    cancelTimer();
    complete();
    releaseTarget();
    detachUpstream();
    releasePending();
    if (dispatch != null ? dispatch.latencyHeader() : client.routing.latencyHeader()) {
      r.headers().set(
          ProxyHeaders.X_KONG_RESPONSE_LATENCY,
          Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));
    }
    // A client waiting for 100 Continue will never send the body we did not ask for.
    boolean bodyNeverComing = expectContinue && !continueSent && !requestComplete;
    boolean keepAlive =
        clientKeepAlive && !closeClientAfter && !bodyNeverComing && !proxy.inFlight().draining()
            && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(r.headers().get(HttpHeaderNames.CONNECTION, ""));
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
