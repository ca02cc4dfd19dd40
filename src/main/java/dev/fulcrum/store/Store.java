package dev.fulcrum.store;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Where configuration lives. Each {@link #write} is one transaction: it commits as a whole with
 * the change events it published, or changes nothing.
 */
public interface Store extends AutoCloseable {
  @FunctionalInterface
  interface Work<T> {
    T run(StoreTx tx);
  }

  <T> T write(Work<T> work);

  <T> T read(Work<T> work);

  /**
   * A read of the node's own configuration (the change feed): on a read replica when one is set,
   * as Kong routes its non-Admin reads; {@link #eventsAfter} and {@link #lastEventId} go there too.
   */
  <T> T readConfig(Work<T> work);

  /** Change-log rows after {@code afterId}, oldest first, at most {@code limit}. */
  List<ChangeEvent> eventsAfter(long afterId, int limit);

  /** Id of the newest change-log row, 0 when empty. */
  long lastEventId();

  /**
   * The newest change event this store object committed: a write's answer waits until the node
   * serves at least this one. Kept in memory, no query.
   */
  long committedVersion();

  /** Called after every local commit (so this node polls at once instead of waiting). */
  void onCommit(Runnable listener);

  /**
   * Called when another node wrote (PostgreSQL's NOTIFY) with the newest event id it committed,
   * and with 0 after the store reconnected, when notifications may have been lost. The embedded
   * store has no other writers.
   */
  default void onRemoteChange(LongConsumer listener) {}

  /** Whether the database answers right now. */
  boolean reachable();

  String nodeId();

  /** "embedded" or "postgres", for /status and GET /. */
  String kind();

  @Override
  void close();
}
