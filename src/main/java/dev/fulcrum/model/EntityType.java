package dev.fulcrum.model;

import java.util.List;

/**
 * What the store and the Admin API know about one kind of entity.
 *
 * @param name collection name, as in the Admin API path ({@code services})
 * @param endpointKey the field that addresses an entity when the path segment is not a UUID, or
 *     null when only its id does (Kong's acls)
 * @param schema fields and checks
 * @param uniqueFields fields unique on their own (409 on a duplicate)
 * @param compositeUnique fields unique together (a target within its upstream), or empty
 * @param foreignKeys references to parents
 */
public record EntityType(
    String name,
    String endpointKey,
    Schema schema,
    List<String> uniqueFields,
    List<String> compositeUnique,
    List<ForeignKey> foreignKeys) {

  /** A reference to a parent; {@code cascade} deletes children with the parent, else restrict. */
  public record ForeignKey(String field, String parent, boolean cascade) {}

  public ForeignKey foreignKeyTo(String parent) {
    for (ForeignKey fk : foreignKeys) {
      if (fk.parent().equals(parent)) {
        return fk;
      }
    }
    return null;
  }

  /**
   * The field a key that is not a UUID names within a parent, when the entity is unique by (parent,
   * field) rather than by an endpoint key of its own: a group within its consumer
   * ({@code /consumers/{c}/acls/{group}}). Null otherwise.
   */
  public String keyWithin(String parentField) {
    if (compositeUnique.size() == 2 && compositeUnique.get(0).equals(parentField)) {
      return compositeUnique.get(1);
    }
    return null;
  }

  /** Timestamps with millisecond precision (targets), else whole seconds. */
  public boolean millisecondTimestamps() {
    Field created = schema.field("created_at");
    return created != null && created.auto() == Field.Auto.TIMESTAMP_MS;
  }

  @Override
  public String toString() {
    return name;
  }
}
