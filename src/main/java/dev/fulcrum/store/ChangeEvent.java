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
}
