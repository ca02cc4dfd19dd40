package dev.fulcrum.plugin;

import io.netty.buffer.ByteBuf;

/**
 * Sees a response body as it goes to the client, piece by piece, without holding it up: what it
 * keeps it copies. A body that does not arrive whole (the server or the client went away) never
 * gets {@link #onEnd}.
 */
public interface BodyObserver {
  /** A piece of the body; read it without moving its indexes, and do not keep it. */
  void onContent(ByteBuf content);

  /** The server sent the whole body. */
  void onEnd();
}
