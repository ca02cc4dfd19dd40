package dev.fulcrum.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.EntityType;
import java.util.List;
import java.util.Optional;

/** Row-level operations inside one transaction. Entities are complete, validated documents. */
public interface StoreTx {
  Optional<ObjectNode> get(EntityType type, String id);

  /** Lookup by a field that is unique on its own (name, target within upstream, ...). */
  Optional<ObjectNode> findUnique(EntityType type, List<String> fields, List<String> values);

  Page page(EntityType type, PageRequest request);

  /**
   * Kong's {@code /tags}: one row {@code {entity_name, entity_id, tag}} per tag of every entity (of
   * one tag when {@code tag} is not null), a page of {@code size} after {@code offset}.
   */
  Page tags(String tag, int size, String offset);

  List<ObjectNode> all(EntityType type);

  List<ObjectNode> children(EntityType type, String foreignField, String parentId);

  void insert(EntityType type, ObjectNode entity);

  void update(EntityType type, ObjectNode entity);

  void delete(EntityType type, String id);

  /** Appends to the change log, visible to readers once the transaction commits; returns its id. */
  long publish(String channel, String data);
}
