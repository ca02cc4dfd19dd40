package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.store.StoreException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodeCacheTest {
  private final AtomicLong now = new AtomicLong(1);
  private final AtomicInteger loads = new AtomicInteger();

  private Optional<String> load(String value) {
    loads.incrementAndGet();
    return Optional.ofNullable(value);
  }

  private void advance(double seconds) {
    now.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void valuesLiveTtlSecondsAndMissesNegTtlSeconds() {
    NodeCache cache = new NodeCache(10, 2, 30, now::get);
    assertThat(cache.get("k", () -> load("v"))).contains("v");
    assertThat(cache.get("none", () -> load(null))).isEmpty();
    advance(5);
    assertThat(cache.get("k", () -> load("other"))).contains("v");
    assertThat(cache.get("none", () -> load("now"))).contains("now");
    assertThat(loads.get()).isEqualTo(3);
    advance(6);
    assertThat(cache.probe("k")).isEmpty();
    assertThat(cache.get("k", () -> load("w"))).contains("w");
  }

  @Test
  void aTtlOfZeroKeepsAValueUntilItIsInvalidated() {
    NodeCache cache = new NodeCache(0, 0, 30, now::get);
    cache.get("k", () -> load("v"));
    advance(100_000);
    assertThat(cache.probe("k")).contains(Optional.of("v"));
    cache.invalidate("k");
    assertThat(cache.probe("k")).isEmpty();
    cache.get("k", () -> load("v"));
    cache.purge();
    assertThat(cache.size()).isZero();
  }

  @Test
  void anExpiredValueIsResurrectedWhileTheDatabaseIsUnreachable() {
    NodeCache cache = new NodeCache(1, 1, 30, now::get);
    cache.get("k", () -> load("v"));
    advance(2);
    StoreException down = StoreException.unreachable("down", null);
    assertThat(cache.<String>get("k", () -> { throw down; })).contains("v");
    advance(29);
    assertThat(cache.probe("k")).contains(Optional.of("v"));
    advance(2);
    assertThatThrownBy(() -> cache.get("k", () -> { throw new StoreException("syntax"); }))
        .isInstanceOf(StoreException.class);
    assertThatThrownBy(() -> cache.get("absent", () -> { throw down; })).isSameAs(down);
  }
}
