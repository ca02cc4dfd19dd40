package dev.fulcrum.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;

/**
 * An answer the gateway gives itself (an error page, the stats page, a plugin's answer): a
 * response head, and a body written piece by piece while the client takes it, so a large or
 * generated body never sits in memory whole. The exchange that sends it owns it, and closes it
 * whatever happens.
 */
public final class LocalResponse {
  /** Where the body comes from, one piece at a time. */
  public interface Body {
    /** The next piece (the caller owns it), or null when the body is complete. */
    ByteBuf next(ByteBufAllocator alloc);

    /** Releases whatever is left; called once, also when the client went away. */
    default void close() {}
  }

  private final HttpResponse head;
  private final Body body;

  /**
   * @param head the status and headers, with a Content-Length or chunked Transfer-Encoding that
   *     agrees with the body
   */
  public LocalResponse(HttpResponse head, Body body) {
    this.head = head;
    this.body = body;
  }

  /** A response whose body is already in memory (error pages); takes over its content. */
  public static LocalResponse full(FullHttpResponse response) {
    HttpResponse head = new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers());
    ByteBuf whole = response.content();
    return new LocalResponse(head, new Body() {
      private ByteBuf content = whole;

      @Override
      public ByteBuf next(ByteBufAllocator alloc) {
        ByteBuf c = content;
        content = null;
        return c;
      }

      @Override
      public void close() {
        if (content != null) {
          content.release();
          content = null;
        }
      }
    });
  }

  public HttpResponse head() {
    return head;
  }

  public Body body() {
    return body;
  }
}
