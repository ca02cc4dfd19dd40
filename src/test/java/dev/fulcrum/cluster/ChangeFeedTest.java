package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.model.Entities;
import dev.fulcrum.model.Json;
import dev.fulcrum.runtime.KongCompiler;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.Store;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetStates;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class ChangeFeedTest {
  /**
   * The node's view of a read replica that lags: the log it reads stops at {@code visibleUpTo};
   * writes go to the primary and, being another node's, wake nobody here but by announcement.
   */
  private static final class LaggingReplica implements Store {
    private final Store primary;
    volatile long visibleUpTo;

    LaggingReplica(Store primary) {
      this.primary = primary;
    }

    @Override
    public <T> T write(Work<T> work) {
      return primary.write(work);
    }

    @Override
    public <T> T read(Work<T> work) {
      return primary.read(work);
    }

    @Override
    public <T> T readConfig(Work<T> work) {
      return primary.read(work);
    }

    @Override
    public List<ChangeEvent> eventsAfter(long afterId, int limit) {
      return primary.eventsAfter(afterId, limit).stream().filter(e -> e.id() <= visibleUpTo).toList();
    }

    @Override
    public long lastEventId() {
      return Math.min(visibleUpTo, primary.lastEventId());
    }

    @Override
    public long committedVersion() {
      return primary.committedVersion();
    }

    @Override
    public void onCommit(Runnable listener) {}

    @Override
    public void onRemoteChange(LongConsumer listener) {}

    @Override
    public boolean reachable() {
      return true;
    }

    @Override
    public String nodeId() {
      return "replica-view";
    }

    @Override
    public String kind() {
      return "test";
    }

    @Override
    public void close() {}
  }

  @Test
  void anAnnouncedEventTheReplicaLacksIsChasedUntilRead() throws Exception {
    try (EmbeddedStore primary = EmbeddedStore.inMemory("primary")) {
      primary.migrateUp();
      LaggingReplica replica = new LaggingReplica(primary);
      SnapshotHolder holder = new SnapshotHolder();
      // Polling once a minute: only the chase can read the event within the test's wait.
      try (ChangeFeed feed = new ChangeFeed(replica, new KongCompiler(new TargetStates(), ServerEvents.NONE, List.of()),
          holder, null, new NodeCache(0, 0, 30))) {
        feed.start(60);
        new Dao(primary).insert(Entities.SERVICES, Json.parseObject("{\"name\":\"s\",\"url\":\"http://127.0.0.1:9\"}"));
        long event = primary.lastEventId();
        CountDownLatch applied = new CountDownLatch(1);
        holder.whenApplied(event, applied::countDown);

        feed.announced(event);
        assertThat(applied.await(300, TimeUnit.MILLISECONDS)).isFalse();
        replica.visibleUpTo = Long.MAX_VALUE;
        assertThat(applied.await(5, TimeUnit.SECONDS)).isTrue();
      }
    }
  }
}
