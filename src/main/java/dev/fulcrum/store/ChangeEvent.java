package dev.fulcrum.store;

/**
 * One row of the change log that every write appends to in its own transaction. Nodes apply
 * configuration changes only by reading these rows, the writer included.
 *
 * @param id position in the log, increasing
 * @param nodeId the node that wrote the change
 * @param channel what kind of change ({@code invalidations} for entity writes)
 * @param data for entity writes {@code <entity>:<create|update|delete>:<id>}
 */
public record ChangeEvent(long id, String nodeId, String channel, String data) {
  public static final String INVALIDATIONS = "invalidations";
  /** Manual health set through the Admin API: {@code <upstream id>|<target>|<1 healthy, 0 not>}. */
  public static final String POST_HEALTH = "balancer:post_health";
  /**
   * proxy-cache entries purged through the Admin API: {@code *} for all, {@code <cache key>}, or
   * {@code <plugin id>:<cache key>}.
   */
  public static final String PROXY_CACHE_PURGE = "proxy-cache:purge";
  /**
   * How long the log keeps an event (Kong keeps them an hour). A node that has not read the log
   * for longer reloads the whole configuration instead.
   */
  public static final long KEEP_SECONDS = 3600;

  /** The data of a {@link #POST_HEALTH} event. */
  public static String postHealth(String upstreamId, String target, boolean healthy) {
    return upstreamId + "|" + target + "|" + (healthy ? 1 : 0);
  }
}
