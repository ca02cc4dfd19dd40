package dev.fulcrum.proxy.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The request body on its way up: held while no server connection is there yet, then streamed
 * as it comes, reading the client only while the server takes what it is given (backpressure).
 * Answers {@code Expect: 100-continue} itself once a server is reached.
 */
final class RequestBody {
  private final ClientHandler client;
  private final boolean expectContinue;
  private ArrayDeque<HttpContent> pending;
  private Channel upstream;
  private boolean continueSent;
  /** The last body piece went up. */
  private boolean complete;
  private long bytesSent;
  /** When the server stopped taking bytes (its connection unwritable), or 0. */
  private long blockedSinceNanos;
  /** Since when the body waits for the client: its last piece, or the server taking bytes again. */
  private long waitingSinceNanos = System.nanoTime();
  private boolean closed;
  /** Bytes of body received so far, sent on or not. */
  private long received;
  /** A step's cap on the body (none: Long.MAX_VALUE), and what to do past it. */
  private long limit = Long.MAX_VALUE;
  private Runnable tooLarge;

  RequestBody(ClientHandler client, boolean expectContinue) {
    this.client = client;
    this.expectContinue = expectContinue;
  }

  /** A piece of body from the client. */
  void onContent(HttpContent content) {
    if (closed) {
      content.release();
      return;
    }
    waitingSinceNanos = System.nanoTime();
    received += content.content().readableBytes();
    if (received > limit) {
      content.release();
      Runnable over = tooLarge;
      tooLarge = null;
      limit = Long.MAX_VALUE;
      over.run();
      return;
    }
    if (upstream == null) {
      if (pending == null) {
        pending = new ArrayDeque<>(2);
      }
      pending.add(content);
      return;
    }
    forward(content);
    if (!complete) {
      if (upstream.isWritable()) {
        client.readNext();
      } else {
        blockedSinceNanos = System.nanoTime();
      }
    }
  }

  /**
   * A try's connection is ready and the request head written: send what the body has so far and
   * keep reading. A retry of a request whose (empty) body was read whole ends it at once.
   */
  void attach(Channel ch) {
    upstream = ch;
    if (complete) {
      ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
      return;
    }
    if (expectContinue && !continueSent) {
      continueSent = true;
      Channel c = client.channel();
      c.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), c.voidPromise());
    }
    HttpContent content;
    while (pending != null && (content = pending.poll()) != null) {
      forward(content);
    }
    if (!complete) {
      client.readNext();
      ch.flush();
    }
  }

  /**
   * Caps the body at {@code maxBytes} (the smaller of two caps holds): the piece that goes past it
   * is dropped and {@code over} runs. False when more has already arrived.
   */
  boolean limit(long maxBytes, Runnable over) {
    if (received > maxBytes) {
      return false;
    }
    if (maxBytes < limit) {
      limit = maxBytes;
      tooLarge = over;
    }
    return true;
  }

  boolean expectContinue() {
    return expectContinue;
  }

  /** The try failed: the next one gets a new connection. */
  void detach() {
    upstream = null;
  }

  private void forward(HttpContent content) {
    bytesSent += content.content().readableBytes();
    if (content instanceof LastHttpContent) {
      complete = true;
    }
    upstream.writeAndFlush(content, upstream.voidPromise());
  }

  /** The server takes bytes again: read on. */
  void onUpstreamWritable() {
    if (!closed && !complete && blockedSinceNanos != 0) {
      blockedSinceNanos = 0;
      waitingSinceNanos = System.nanoTime();
      client.readNext();
    }
  }

  boolean complete() {
    return complete;
  }

  long bytesSent() {
    return bytesSent;
  }

  long blockedSinceNanos() {
    return blockedSinceNanos;
  }

  /** Since when the body has been waiting for the client to send more. */
  long waitingSinceNanos() {
    return waitingSinceNanos;
  }

  /** A client waiting for 100 Continue that never got it will not send the body. */
  boolean neverComing() {
    return expectContinue && !continueSent && !complete;
  }

  void close() {
    closed = true;
    if (pending != null) {
      pending.forEach(ReferenceCountUtil::release);
      pending.clear();
    }
  }
}
