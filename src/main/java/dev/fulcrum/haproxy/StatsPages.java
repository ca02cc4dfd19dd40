package dev.fulcrum.haproxy;

import dev.fulcrum.plugin.LocalService;

/** Makes the stats page a {@code stats uri} asks for (the node's runtime API renders it). */
@FunctionalInterface
public interface StatsPages {
  /**
   * @param uri the prefix the page answers
   * @param refresh the refresh header's seconds, 0 for none
   * @param legends whether server addresses and algorithms are shown
   */
  LocalService create(String uri, int refresh, boolean legends);
}
