package dev.fulcrum.proxy.http;

import dev.fulcrum.plugin.LocalResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Writes an answer of the gateway's own to the client: the head, then the body piece by piece
 * while the client connection is writable, going on when it drains (backpressure, like a proxied
 * body). Calls back once the last piece is written.
 */
final class LocalAnswer {
  private final Channel channel;
  private final LocalResponse response;
  private final boolean headOnly;
  private final Runnable done;
  private boolean finished;
  private boolean writing;
  private boolean again;
  private long bytes;

  /** @param headOnly a HEAD request: the head goes out, the body is dropped */
  LocalAnswer(Channel channel, LocalResponse response, boolean headOnly, Runnable done) {
    this.channel = channel;
    this.response = response;
    this.headOnly = headOnly;
    this.done = done;
  }

  void start() {
    channel.write(response.head(), channel.voidPromise());
    if (headOnly) {
      end();
      return;
    }
    resume();
  }

  /**
   * Writes pieces while the client takes them (also called when it becomes writable). A flush that
   * drains at once makes the channel writable from inside this call: that is noted and looped on
   * here rather than recursed into.
   */
  void resume() {
    if (writing) {
      again = true;
      return;
    }
    writing = true;
    try {
      do {
        again = false;
        while (!finished && channel.isWritable()) {
          if (!channel.isActive()) {
            abort();
            return;
          }
          ByteBuf piece = response.body().next(channel.alloc());
          if (piece == null) {
            end();
            return;
          }
          bytes += piece.readableBytes();
          channel.write(new DefaultHttpContent(piece), channel.voidPromise());
        }
        if (!finished) {
          channel.flush();
        }
      } while (again && !finished);
    } finally {
      writing = false;
    }
  }

  private void end() {
    finished = true;
    response.body().close();
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
    done.run();
  }

  /** The client went away: release what is left. */
  void abort() {
    if (!finished) {
      finished = true;
      response.body().close();
    }
  }

  boolean finished() {
    return finished;
  }

  long bytes() {
    return bytes;
  }
}
