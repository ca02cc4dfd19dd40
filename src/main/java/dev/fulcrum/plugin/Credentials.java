package dev.fulcrum.plugin;

import dev.fulcrum.model.Acl;
import dev.fulcrum.model.BasicAuthCredential;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The consumers, their credentials and their acl groups in one configuration, looked up on the
 * request path (one map read, no database).
 */
public final class Credentials {
  public static final Credentials EMPTY = new Credentials(Map.of(), Map.of());

  /** A consumer's groups: in Kong's order (by acl id), as a set, and as X-Consumer-Groups says them. */
  public record Groups(List<String> names, Set<String> set, String header) {
    public static final Groups NONE = new Groups(List.of(), Set.of(), "");

    static Groups of(List<String> names) {
      return new Groups(List.copyOf(names), Set.copyOf(names), String.join(", ", names));
    }
  }

  private final Map<String, KeyCredential> byKey;
  private final Map<String, Consumer> consumers;
  private final Map<String, BasicAuthCredential> byUsername;
  private final Map<String, Groups> groups;

  /** @param byKey credentials by key; @param consumers consumers by id */
  public Credentials(Map<String, KeyCredential> byKey, Map<String, Consumer> consumers) {
    this(byKey, consumers, Map.of(), Map.of());
  }

  private Credentials(
      Map<String, KeyCredential> byKey, Map<String, Consumer> consumers,
      Map<String, BasicAuthCredential> byUsername, Map<String, Groups> groups) {
    this.byKey = Map.copyOf(byKey);
    this.consumers = Map.copyOf(consumers);
    this.byUsername = Map.copyOf(byUsername);
    this.groups = Map.copyOf(groups);
  }

  /** Indexes the entities of one configuration. */
  public static Credentials of(
      Collection<Consumer> consumers, Collection<KeyCredential> keys,
      Collection<BasicAuthCredential> basicAuths, Collection<Acl> acls) {
    Map<String, Consumer> byId = new HashMap<>();
    consumers.forEach(c -> byId.put(c.id(), c));
    Map<String, KeyCredential> byKey = new HashMap<>();
    keys.forEach(k -> byKey.put(k.key(), k));
    Map<String, BasicAuthCredential> byUsername = new HashMap<>();
    basicAuths.forEach(b -> byUsername.put(b.username(), b));
    // Kong reads a consumer's acls page by page, in primary key order.
    List<Acl> sorted = new ArrayList<>(acls);
    sorted.sort(Comparator.comparing(Acl::id));
    Map<String, List<String>> names = new HashMap<>();
    for (Acl a : sorted) {
      names.computeIfAbsent(a.consumerId(), c -> new ArrayList<>()).add(a.group());
    }
    Map<String, Groups> groups = new HashMap<>();
    names.forEach((consumer, list) -> groups.put(consumer, Groups.of(list)));
    return new Credentials(byKey, byId, byUsername, groups);
  }

  public KeyCredential key(String key) {
    return byKey.get(key);
  }

  /** The basic-auth credential of {@code username}, or null. */
  public BasicAuthCredential basicAuth(String username) {
    return byUsername.get(username);
  }

  /** The groups of a consumer (its acls); {@link Groups#NONE} when it has none. */
  public Groups groups(String consumerId) {
    return groups.getOrDefault(consumerId, Groups.NONE);
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
