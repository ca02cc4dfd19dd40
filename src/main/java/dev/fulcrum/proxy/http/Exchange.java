package dev.fulcrum.proxy.http;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.plugin.BodyObserver;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.router.RequestFacts;
import dev.fulcrum.runtime.HttpTarget;
import dev.fulcrum.upstream.Attempts;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.Destination;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.ProxyFailure;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.pool.UpstreamConnections;
import dev.fulcrum.net.UpstreamTls;
import io.netty.handler.ssl.SslHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on its way through the proxy, phase by phase: parse/check ({@link RequestCheck},
 * {@link RequestInfo}), access (the listener's steps, routing, the target's steps; a step may
 * pause for I/O), balance/connect ({@link Attempts}: picks, the queue, retries), then the response
 * head (its steps) and body, streamed with backpressure both ways ({@link RequestBody} up), and
 * the log phase. Where it is is one {@link State}. Everything runs on the client's event loop.
 */
final class Exchange implements Attempts.Owner, StepContext {
  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  /** The exchange's progress; the request body streams up on its own meanwhile. */
  enum State {
    /** Steps and routing run (a step may hold it paused). */
    ACCESS,
    /** Picking a server, queued, waiting to retry, or connecting. */
    CONNECTING,
    /** The request head went to a server; no response head yet. */
    SENT,
    /** A response streams to the client. */
    RESPONDING,
    /** A 101 went out: the connections become a tunnel once it is through. */
    UPGRADING,
    /** The whole response went out: the exchange ends at the end of this read. */
    COMPLETE,
    /** An answer of the gateway's own streams to the client. */
    ANSWERING,
    DONE
  }

  private final ClientHandler client;
  private final HttpProxy proxy;
  private final HttpRouting routing;
  private final Channel clientChannel;
  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private final boolean http10;
  private final boolean clientKeepAlive;

  private State state = State.ACCESS;
  private RequestInfo info;
  private RequestBody body;
  private List<HttpStep> steps;
  private int stepIndex;
  /** Who the request authenticated as (Kong's consumer), and by which credential. */
  private Consumer consumer;
  private String credentialId;
  /** A step watching the response body (proxy-cache storing it), or null. */
  private BodyObserver bodyObserver;
  /** What steps remember for this request; most requests have none. */
  private IdentityHashMap<HttpStep, Object> attachments;
  /** Steps that also see the gateway's own answer to this request (Kong's header_filter). */
  private List<HttpStep> answerSteps;
  private boolean paused;
  private Routed routed;
  private HttpTarget target;
  private Destination destination;
  private Attempts attempts;
  private LocalAnswer answer;

  private Channel upstream;
  /** The pool key of this try's connection: the target, and its TLS settings and server name. */
  private String poolKey;
  private UpstreamHandler upstreamHandler;
  private boolean reusedConnection;
  private boolean upstreamReusable;
  private long sentNanos;
  private long lastReadNanos;
  private ScheduledFuture<?> timer;

  private int status = -1;
  private long responseBytes;
  private boolean skipInformational;
  private boolean closeClientAfter;
  private boolean logged;
  /** A hash cookie this request lacked (Kong's cookie hashing): set on the response. */
  private String newHashCookie;
  private String hashCookieValue;

  Exchange(ClientHandler client, HttpRequest request) {
    this.client = client;
    this.proxy = client.proxy;
    this.routing = client.routing;
    this.clientChannel = client.channel();
    this.request = request;
    this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
  }

  // ------------------------------------------------------ parse/check, access

  void start() {
    Counters fe = routing.counters();
    fe.requests.increment();
    fe.requestRate.tick();
    int bad = RequestCheck.status(request);
    if (bad == 0) {
      info = RequestInfo.read(request, client);
      bad = info == null ? 400 : 0;
    }
    if (bad != 0) {
      if (request instanceof HttpContent) {
        // The decoder's stand-in for an unparsable request carries an (empty) body.
        ((HttpContent) request).release();
      }
      fe.requestErrors.increment();
      closeClientAfter = true;
      answer(LocalResponse.full(routing.errors().page(clientChannel.alloc(), bad, ErrorPages.Cause.BAD_REQUEST, request)));
      return;
    }
    HttpHeaders h = request.headers();
    boolean expectContinue = HttpUtil.is100ContinueExpected(request);
    if (expectContinue) {
      h.remove(HttpHeaderNames.EXPECT);
    }
    body = new RequestBody(client, expectContinue);
    boolean upgrade = ProxyHeaders.isWebSocketUpgrade(h);
    ProxyHeaders.removeHopByHop(h, upgrade);
    if (upgrade) {
      h.set(HttpHeaderNames.CONNECTION, ProxyHeaders.KEEP_ALIVE_UPGRADE);
    }
    // Otherwise keep-alive is HTTP/1.1's default toward the server; the Kong dialect states it.
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    steps = routing.steps();
    runSteps();
  }

  /** The access phase: the listener's steps, routing, the target's steps; then a server. */
  private void runSteps() {
    while (state == State.ACCESS && !paused) {
      if (stepIndex < steps.size()) {
        HttpStep step = steps.get(stepIndex++);
        Flow flow;
        try {
          flow = step.onRequest(this);
        } catch (RuntimeException e) {
          // A step that fails answers 500, as Kong does for a plugin error; the connection lives on.
          LOG.error("step {} failed", step.getClass().getSimpleName(), e);
          respond(500);
          return;
        }
        if (flow == Flow.PAUSE && state == State.ACCESS) {
          paused = true;
        }
        continue;
      }
      if (routed != null) {
        break;
      }
      routed = routing.route(info);
      if (routed.answer() != null) {
        answer(routed.answer());
        return;
      }
      target = routed.target();
      destination = target.destination();
      Counters be = destination.backend().counters();
      be.opened();
      be.requests.increment();
      steps = target.steps();
      stepIndex = 0;
    }
    if (state == State.ACCESS && !paused) {
      state = State.CONNECTING;
      attempts = new Attempts(destination, this);
      attempts.next();
    }
  }

  @Override
  public void resume() {
    EventLoop loop = clientChannel.eventLoop();
    if (!loop.inEventLoop()) {
      loop.execute(this::resume);
      return;
    }
    if (state == State.ACCESS && paused) {
      paused = false;
      runSteps();
    }
  }

  @Override
  public void respond(int status) {
    respond(LocalResponse.full(routing.errors().page(clientChannel.alloc(), status, ErrorPages.Cause.GATEWAY, request)));
  }

  @Override
  public void respond(LocalResponse response) {
    EventLoop loop = clientChannel.eventLoop();
    if (!loop.inEventLoop()) {
      loop.execute(() -> respond(response));
      return;
    }
    answer(response);
  }

  // ------------------------------------------------------ balance and connect

  @Override
  public EventLoop loop() {
    return clientChannel.eventLoop();
  }

  /** A server with a slot for this try: a pooled connection to it, or a new one. */
  @Override
  public void tryAt(UpstreamTarget t) {
    sentNanos = System.nanoTime();
    if (!destination.preserveHost()) {
      request.headers().set(HttpHeaderNames.HOST, t.hostHeader());
    }
    UpstreamConnections.LoopPool pool = proxy.upstreams.forLoop(clientChannel.eventLoop());
    UpstreamTls tls = destination.tls(t);
    String serverName = null;
    if (tls == null) {
      poolKey = t.target();
    } else {
      serverName = tls.serverName(request.headers().get(HttpHeaderNames.HOST));
      poolKey = tls.poolKey(t.target(), serverName);
    }
    Channel idle = pool.poll(poolKey);
    if (idle != null) {
      attach(idle, true);
    } else if (t.address() != null) {
      connect(pool, t, t.address(), tls, serverName);
    } else {
      String name = serverName;
      Future<InetSocketAddress> resolved = pool.resolve(t.host(), t.port());
      resolved.addListener(f -> {
        if (state != State.CONNECTING || attempts.current() != t) {
          return;
        }
        if (f.isSuccess()) {
          connect(pool, t, resolved.getNow(), tls, name);
        } else {
          LOG.debug("cannot resolve {}: {}", t.host(), f.cause().toString());
          attempts.done();
          respondError(503, ErrorPages.Cause.UPSTREAM);
        }
      });
    }
  }

  private void connect(
      UpstreamConnections.LoopPool pool, UpstreamTarget t, InetSocketAddress address, UpstreamTls tls, String serverName) {
    long connectTimeout = destination.timeouts().connect();
    ChannelFuture f = pool.connect(address, (int) Math.min(Integer.MAX_VALUE, connectTimeout));
    String key = poolKey;
    f.channel().closeFuture().addListener(c -> pool.remove(key, f.channel()));
    f.addListener(c -> {
      if (state != State.CONNECTING || attempts.current() != t) {
        f.channel().close();
        return;
      }
      if (c.isSuccess() && tls != null) {
        handshake(f.channel(), t, tls, serverName, address, connectTimeout);
      } else if (c.isSuccess()) {
        attach(f.channel(), false);
      } else {
        ProxyFailure failure =
            c.cause() instanceof ConnectTimeoutException ? ProxyFailure.CONNECT_TIMEOUT : ProxyFailure.CONNECT_FAILED;
        tryFailed(failure, c.cause());
      }
    });
  }

  /**
   * TLS to the upstream: the handshake (within the connect timeout) comes before the request; a
   * failed one fails the try like a failed connect, and nothing was sent in cleartext.
   */
  private void handshake(
      Channel ch, UpstreamTarget t, UpstreamTls tls, String serverName, InetSocketAddress address, long timeoutMillis) {
    SslHandler ssl = tls.handler(ch.alloc(), serverName, address.getAddress().getHostAddress(), address.getPort(), timeoutMillis);
    ch.pipeline().addFirst("tls", ssl);
    ssl.handshakeFuture().addListener(h -> {
      if (state != State.CONNECTING || attempts.current() != t) {
        ch.close();
        return;
      }
      if (h.isSuccess()) {
        attach(ch, false);
      } else {
        LOG.info("TLS handshake with {} ({}) failed: {}", t.target(), serverName, h.cause().toString());
        ch.close();
        tryFailed(ProxyFailure.CONNECT_FAILED, h.cause());
      }
    });
  }

  /** Sends the request head on {@code ch}, then the body as it comes. */
  private void attach(Channel ch, boolean reused) {
    upstream = ch;
    reusedConnection = reused;
    upstreamReusable = true;
    attempts.connected(reused);
    upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    lastReadNanos = System.nanoTime();
    state = State.SENT;
    ch.write(request, ch.voidPromise());
    body.attach(ch);
    if (state == State.SENT && upstream == ch) {
      ch.read();
      long read = destination.timeouts().read();
      long bodyTimeout = routing.bodyTimeoutMillis();
      // While the body is still coming, the client's timeout may be due first.
      armTimer(!body.complete() && bodyTimeout > 0 && (read <= 0 || bodyTimeout < read) ? bodyTimeout : read);
    }
  }

  @Override
  public void unavailable(ProxyFailure failure) {
    if (failure == null) {
      respondError(503, ErrorPages.Cause.GATEWAY);
    } else {
      respondError(routing.errors().status(failure), ErrorPages.Cause.UPSTREAM);
    }
  }

  // ------------------------------------------------------------ request body

  void onRequestContent(HttpContent content) {
    if (state == State.DONE || state == State.ANSWERING || body == null) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      // A broken chunked body (bad size, bad extension, missing CRLF): the decoder hands an empty
      // last chunk that must not reach the server as a proper end of the body.
      content.release();
      badBody();
      return;
    }
    body.onContent(content);
  }

  /**
   * The request body cannot be read: the server's connection closes without the body's end (it
   * sees an incomplete request, never a complete other one), and the client gets 400 and a close,
   * or just the close when its response has begun.
   */
  private void badBody() {
    LOG.debug("malformed request body from {}", clientChannel.remoteAddress());
    closeClientAfter = true;
    if (state == State.RESPONDING || state == State.UPGRADING || state == State.COMPLETE) {
      abort();
      return;
    }
    routing.counters().requestErrors.increment();
    respondError(400, ErrorPages.Cause.BAD_REQUEST);
  }

  void onUpstreamWritable() {
    if (state != State.DONE) {
      body.onUpstreamWritable();
    }
  }

  // --------------------------------------------------------------- response

  void onUpstreamMessage(Object msg) {
    if (state == State.DONE) {
      ReferenceCountUtil.release(msg);
      return;
    }
    lastReadNanos = System.nanoTime();
    if (msg instanceof HttpResponse && !responseHead((HttpResponse) msg)) {
      return;
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
    BodyObserver observer = bodyObserver;
    if (observer != null) {
      observer.onContent(content.content());
      if (last) {
        observer.onEnd();
      }
    }
    clientChannel.write(content, clientChannel.voidPromise());
    if (last) {
      if (state == State.UPGRADING) {
        startTunnel();
      } else {
        state = State.COMPLETE;
      }
    }
  }

  /** The response head phase; false when the message was consumed (failed or retried). */
  private boolean responseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      ReferenceCountUtil.release(response);
      upstreamReusable = false;
      if (state == State.RESPONDING) {
        abort();
      } else {
        tryFailed(ProxyFailure.BAD_RESPONSE, response.decoderResult().cause());
      }
      return false;
    }
    int code = response.status().code();
    if (code < 200 && code != 101) {
      // Interim responses (100, 103) end here: we answered Expect ourselves.
      skipInformational = true;
      return true;
    }
    if (retryOnStatus(code)) {
      // HAProxy's retry-on <status>: this answer is dropped and the request tried again.
      ReferenceCountUtil.release(response);
      upstreamReusable = false;
      tryFailed(ProxyFailure.RETRYABLE_STATUS, null);
      return false;
    }
    boolean upgrade = code == 101;
    state = upgrade ? State.UPGRADING : State.RESPONDING;
    status = code;
    destination.backend().responded(attempts.current(), code, System.nanoTime() - attempts.tryStartNanos());
    prepareResponse(response, upgrade);
    if (newHashCookie != null) {
      response.headers().add(HttpHeaderNames.SET_COOKIE, newHashCookie);
    }
    List<HttpStep> targetSteps = target.steps();
    for (int i = 0; i < targetSteps.size(); i++) {
      targetSteps.get(i).onResponse(this, response);
    }
    List<HttpStep> listenerSteps = routing.steps();
    for (int i = 0; i < listenerSteps.size(); i++) {
      listenerSteps.get(i).onResponse(this, response);
    }
    clientChannel.write(response, clientChannel.voidPromise());
    return true;
  }

  private boolean retryOnStatus(int code) {
    RetryPolicy p = destination.retry();
    return state == State.SENT && p.retriesStatus(code) && body.bytesSent() == 0 && attempts.remaining();
  }

  private void prepareResponse(HttpResponse response, boolean upgrade) {
    HttpHeaders h = response.headers();
    if (!HttpUtil.isKeepAlive(response)) {
      upstreamReusable = false;
    }
    ProxyHeaders.removeHopByHop(h, upgrade);
    if (upgrade) {
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
    state = State.DONE;
    cancelTimer();
    log();
    attempts.done();
    upstreamHandler.detach();
    client.upgraded(this);
    Relay.join(clientChannel, upstream);
  }

  void onUpstreamReadComplete() {
    if (state == State.DONE) {
      return;
    }
    clientChannel.flush();
    if (state == State.COMPLETE) {
      finish();
    } else if (clientChannel.isWritable() && upstream != null) {
      upstream.read();
    }
  }

  void onClientWritable() {
    if (state == State.RESPONDING && upstream != null) {
      upstream.read();
    } else if (state == State.ANSWERING) {
      answer.resume();
    }
  }

  /** The response went out whole: recycle the upstream connection and read the next request. */
  private void finish() {
    state = State.DONE;
    cancelTimer();
    UpstreamTarget t = attempts.current();
    attempts.done();
    upstreamHandler.detach();
    boolean reuse = upstreamReusable && body.complete()
        && (proxy.maxRequestsPerConnection == 0 || upstreamHandler.requests() < proxy.maxRequestsPerConnection);
    if (reuse) {
      proxy.upstreams.forLoop(clientChannel.eventLoop()).offer(poolKey, upstream);
    } else {
      upstream.close();
    }
    log();
    client.exchangeFinished(this, clientKeepAlive && !closeClientAfter, body.complete());
  }

  // -------------------------------------------------------------- failures

  void onUpstreamClosed(Throwable cause) {
    if (state == State.DONE) {
      return;
    }
    upstreamReusable = false;
    if (state == State.COMPLETE) {
      return;
    }
    if (state == State.RESPONDING || state == State.UPGRADING) {
      LOG.debug("upstream {} closed mid-response", attempts.current());
      abort();
      return;
    }
    tryFailed(ProxyFailure.RESET_BEFORE_RESPONSE, cause);
  }

  /**
   * A try failed before any response byte reached the client: try again when the rules allow it
   * and the request can be sent again (no body byte sent yet), else answer with the failure.
   */
  private void tryFailed(ProxyFailure failure, Throwable cause) {
    LOG.debug("try at {} failed: {} ({})", attempts.current(), failure, cause == null ? "closed" : cause.toString());
    cancelTimer();
    boolean reused = reusedConnection;
    boolean stale = reused && failure == ProxyFailure.RESET_BEFORE_RESPONSE;
    detachUpstream();
    body.detach();
    boolean replayable = body.bytesSent() == 0;
    boolean mayResend = failure.beforeSend() || stale || !destination.retry().idempotentOnly() || idempotent();
    state = State.CONNECTING;
    if (attempts.failed(failure, replayable && mayResend, stale, failure == ProxyFailure.CONNECT_FAILED && !reused)) {
      return;
    }
    if (!body.complete()) {
      closeClientAfter = true;
    }
    respondError(routing.errors().status(failure), ErrorPages.Cause.UPSTREAM);
  }

  private boolean idempotent() {
    HttpMethod m = request.method();
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.PUT)
        || m.equals(HttpMethod.DELETE) || m.equals(HttpMethod.OPTIONS) || m.equals(HttpMethod.TRACE);
  }

  private void detachUpstream() {
    if (upstream != null) {
      upstreamHandler.detach();
      upstream.close();
      upstream = null;
      upstreamHandler = null;
    }
  }

  /** The client left, or the response broke mid-way: close both sides. */
  private void abort() {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    cancelTimer();
    if (attempts != null) {
      attempts.close();
    }
    if (answer != null) {
      answer.abort();
    }
    log();
    detachUpstream();
    if (body != null) {
      body.close();
    }
    clientChannel.close();
  }

  void onClientClosed() {
    abort();
  }

  // -------------------------------------------------------------- answers

  private void respondError(int status, ErrorPages.Cause cause) {
    answer(LocalResponse.full(routing.errors().page(clientChannel.alloc(), status, cause, request)));
  }

  /** Answers here, with an error page or a step's or service's answer. */
  private void answer(LocalResponse r) {
    if (state == State.DONE || state == State.ANSWERING) {
      r.body().close();
      return;
    }
    state = State.ANSWERING;
    status = r.head().status().code();
    cancelTimer();
    if (attempts != null) {
      attempts.close();
    }
    detachUpstream();
    if (body != null) {
      body.close();
    }
    runAnswerSteps(r.head());
    HttpHeaders h = r.head().headers();
    String server = routing.errors().serverHeader();
    if (server != null && !h.contains(HttpHeaderNames.SERVER)) {
      // Kong's server_tokens: every response Kong makes itself names it, a plugin's exit too.
      h.set(HttpHeaderNames.SERVER, server);
    }
    if (routing.errors().latencyHeader()) {
      h.set(ProxyHeaders.X_KONG_RESPONSE_LATENCY,
          Long.toString(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)));
    }
    boolean bodyNeverComing = body != null && body.neverComing();
    boolean keepAlive = clientKeepAlive && !closeClientAfter && !bodyNeverComing && !proxy.inFlight().draining()
        && !HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(h.get(HttpHeaderNames.CONNECTION, ""));
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    boolean requestComplete = body != null && body.complete();
    answer = new LocalAnswer(clientChannel, r, request.method().equals(HttpMethod.HEAD), () -> {
      state = State.DONE;
      responseBytes = answer.bytes();
      log();
      client.exchangeFinished(this, keepAlive, requestComplete);
    });
    answer.start();
  }

  private void runAnswerSteps(HttpResponse head) {
    if (answerSteps == null) {
      return;
    }
    for (int i = 0; i < answerSteps.size(); i++) {
      HttpStep step = answerSteps.get(i);
      try {
        step.onResponse(this, head);
      } catch (RuntimeException e) {
        // The answer is already decided: it goes out without what this step would have added.
        LOG.error("step {} failed on a local answer", step.getClass().getSimpleName(), e);
      }
    }
  }

  /**
   * The body went past a step's cap: its answer, unless the response has begun (then the exchange
   * is cut). Either way the client's connection closes, the rest of its body unread.
   */
  private void bodyTooLarge(Runnable stepAnswer) {
    closeClientAfter = true;
    if (state == State.RESPONDING || state == State.UPGRADING || state == State.COMPLETE) {
      abort();
      return;
    }
    if (state == State.ANSWERING || state == State.DONE) {
      return;
    }
    try {
      stepAnswer.run();
    } catch (RuntimeException e) {
      LOG.error("a step's answer to an oversized body failed", e);
    }
    if (state != State.ANSWERING && state != State.DONE) {
      respondError(413, ErrorPages.Cause.BAD_REQUEST);
    }
  }

  // --------------------------------------------------------------------- log

  /** The log phase, once: counters of the listener, backend and server; the steps' log hooks. */
  private void log() {
    if (logged) {
      return;
    }
    logged = true;
    long in = body == null ? 0 : body.bytesSent();
    Counters fe = routing.counters();
    fe.bytesIn.add(in);
    fe.bytesOut.add(responseBytes);
    if (status > 0) {
      fe.response(status);
    }
    if (destination != null) {
      Backend b = destination.backend();
      Counters be = b.counters();
      be.bytesIn.add(in);
      be.bytesOut.add(responseBytes);
      be.totalTime.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      be.closed();
      UpstreamTarget last = attempts == null ? null : attempts.last();
      if (last != null) {
        last.state().counters().bytesIn.add(in);
        last.state().counters().bytesOut.add(responseBytes);
      }
      List<HttpStep> targetSteps = target.steps();
      for (int i = 0; i < targetSteps.size(); i++) {
        targetSteps.get(i).onLog(this);
      }
    }
    List<HttpStep> listenerSteps = routing.steps();
    for (int i = 0; i < listenerSteps.size(); i++) {
      listenerSteps.get(i).onLog(this);
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

  /** One timer per exchange: it re-arms itself for the time left instead of per read. */
  private void onTimer() {
    timer = null;
    if (upstream == null || (state != State.SENT && state != State.RESPONDING)) {
      return;
    }
    long read = destination.timeouts().read();
    long deadline;
    ProxyFailure failure;
    if (!body.complete() && body.blockedSinceNanos() != 0) {
      long write = destination.timeouts().write();
      if (write <= 0) {
        armTimer(read);
        return;
      }
      deadline = body.blockedSinceNanos() + TimeUnit.MILLISECONDS.toNanos(write);
      failure = ProxyFailure.WRITE_TIMEOUT;
    } else if (!body.complete()) {
      // Waiting for the client to send more body: its own timeout (client_body_timeout,
      // timeout client), not the upstream's.
      long bodyTimeout = routing.bodyTimeoutMillis();
      if (bodyTimeout <= 0) {
        armTimer(read);
        return;
      }
      deadline = body.waitingSinceNanos() + TimeUnit.MILLISECONDS.toNanos(bodyTimeout);
      failure = null;
    } else {
      deadline = lastReadNanos + TimeUnit.MILLISECONDS.toNanos(read);
      failure = ProxyFailure.READ_TIMEOUT;
    }
    long now = System.nanoTime();
    if (now < deadline) {
      timer = clientChannel.eventLoop().schedule(this::onTimer, deadline - now, TimeUnit.NANOSECONDS);
      return;
    }
    upstreamReusable = false;
    if (state == State.RESPONDING) {
      abort();
    } else if (failure == null) {
      // The client stopped sending its body: 408, and the server's connection closes with the
      // body unfinished.
      LOG.debug("client {} sent no body for {} ms", clientChannel.remoteAddress(), routing.bodyTimeoutMillis());
      closeClientAfter = true;
      routing.counters().requestErrors.increment();
      respondError(408, ErrorPages.Cause.CLIENT_TIMEOUT);
    } else {
      tryFailed(failure, null);
    }
  }

  // ------------------------------------------------------------ pick context

  /** The request's value for a Kong consistent-hashing source (kong/runloop/balancer). */
  @Override
  public String hashValue(Upstream.HashSpec spec) {
    switch (spec.source()) {
      case IP:
        return info.clientIp.toString();
      case HEADER:
        return HashKeys.header(request.headers(), spec.name());
      case PATH:
        return info.path();
      case QUERY_ARG:
        return HashKeys.queryArg(info.query, spec.name());
      case URI_CAPTURE:
        return HashKeys.capture(routed.match(), spec.name());
      case COOKIE:
        return hashCookie(spec);
      case CONSUMER:
        // The consumer an authentication plugin established; none: hash_fallback.
        return consumer == null ? null : consumer.id();
      default:
        return null;
    }
  }

  /** The hash cookie, made up (and set on the response) when the client has none. */
  private String hashCookie(Upstream.HashSpec spec) {
    String value = HashKeys.cookie(request.headers(), spec.name());
    if (value != null) {
      return value;
    }
    if (newHashCookie == null) {
      hashCookieValue = java.util.UUID.randomUUID().toString();
      newHashCookie = spec.name() + "=" + hashCookieValue + "; Path=" + spec.cookiePath() + "; Same-Site=Lax; HttpOnly";
    }
    return hashCookieValue;
  }

  @Override
  public int sourceKey() {
    return client.sourceKey;
  }

  @Override
  public String uri() {
    return info.uri;
  }

  @Override
  public String header(String name) {
    return request.headers().get(name);
  }

  // ------------------------------------------------------------ step context

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public RequestFacts facts() {
    return info;
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public long receivedNanos() {
    return startNanos;
  }

  @Override
  public long sentNanos() {
    return sentNanos;
  }

  @Override
  public void error(int status, String message, HttpHeaders headers) {
    FullHttpResponse page = routing.errors().message(clientChannel.alloc(), status, message, request);
    if (headers != null) {
      page.headers().add(headers);
    }
    respond(LocalResponse.full(page));
  }

  @Override
  public boolean expectsContinue() {
    return body != null && body.expectContinue();
  }

  @Override
  public boolean limitBody(long maxBytes, Runnable tooLarge) {
    return body == null || body.limit(maxBytes, () -> bodyTooLarge(tooLarge));
  }

  @Override
  public void alsoOnLocalAnswers(HttpStep step) {
    if (answerSteps == null) {
      answerSteps = new ArrayList<>(2);
    }
    if (!answerSteps.contains(step)) {
      answerSteps.add(step);
    }
  }

  @Override
  public String clientIp() {
    return info.clientIp.toString();
  }

  @Override
  public void observeResponseBody(BodyObserver observer) {
    BodyObserver before = bodyObserver;
    bodyObserver = before == null ? observer : new BodyObserver() {
      @Override
      public void onContent(io.netty.buffer.ByteBuf content) {
        before.onContent(content);
        observer.onContent(content);
      }

      @Override
      public void onEnd() {
        before.onEnd();
        observer.onEnd();
      }
    };
  }

  @Override
  public String routeId() {
    return routed == null || routed.match() == null ? null : routed.match().route().id();
  }

  @Override
  public String serviceId() {
    return routed == null || routed.match() == null ? null : routed.match().route().serviceId();
  }

  @Override
  public Consumer consumer() {
    return consumer;
  }

  @Override
  public String credentialId() {
    return credentialId;
  }

  @Override
  public void authenticate(Consumer consumer, String credentialId) {
    this.consumer = consumer;
    this.credentialId = credentialId;
  }

  @Override
  public Object attachment(HttpStep step) {
    return attachments == null ? null : attachments.get(step);
  }

  @Override
  public void attach(HttpStep step, Object value) {
    if (attachments == null) {
      attachments = new IdentityHashMap<>(4);
    }
    attachments.put(step, value);
  }
}
