package dev.fulcrum.plugin;

import io.netty.buffer.ByteBufAllocator;

/** Requests answered by the gateway itself when their URI asks for it (HAProxy's stats page). */
public interface LocalService {
  boolean wants(String uri);

  LocalResponse answer(ByteBufAllocator alloc, String uri);
}
