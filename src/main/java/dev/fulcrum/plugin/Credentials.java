package dev.fulcrum.plugin;

import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import java.util.Map;

/**
 * The consumers and key-auth credentials of one configuration, looked up by key on the request
 * path (one map read, no database).
 */
public final class Credentials {
  public static final Credentials EMPTY = new Credentials(Map.of(), Map.of());

  private final Map<String, KeyCredential> byKey;
  private final Map<String, Consumer> consumers;

  /** @param byKey credentials by key; @param consumers consumers by id */
  public Credentials(Map<String, KeyCredential> byKey, Map<String, Consumer> consumers) {
    this.byKey = Map.copyOf(byKey);
    this.consumers = Map.copyOf(consumers);
  }

  public KeyCredential key(String key) {
    return byKey.get(key);
  }

  public Consumer consumer(String id) {
    return consumers.get(id);
  }

  /** A consumer by id or username (Kong's {@code anonymous} setting takes either). */
  public Consumer consumerByIdOrName(String idOrName) {
    Consumer c = consumers.get(idOrName);
    if (c != null) {
      return c;
    }
    for (Consumer x : consumers.values()) {
      if (idOrName.equals(x.username())) {
        return x;
      }
    }
    return null;
  }
}
