package dev.fulcrum.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.BasicAuthPasswords;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.FieldErrors;
import dev.fulcrum.model.Ids;
import dev.fulcrum.model.Json;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.SecretEntities;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kong's DAO semantics over a {@link Store}: validation and defaults, auto fields, unique and
 * foreign-key checks, cascading and restricted deletes, and one change event per row written.
 * Every public method is one transaction.
 */
public final class Dao {
  private final Store store;

  public Dao(Store store) {
    this.store = store;
  }

  public Store store() {
    return store;
  }

  // ------------------------------------------------------------------ reads

  /** By id when {@code key} is a UUID, else by the endpoint key (name). */
  public Optional<ObjectNode> select(EntityType type, String key) {
    return store.read(tx -> select(tx, type, key));
  }

  static Optional<ObjectNode> select(StoreTx tx, EntityType type, String key) {
    if (type.endpointKey() == null && !Ids.isUuid(key)) {
      // Kong then reads the key as an id, and refuses it (GET /acls/admins: 400).
      throw DaoException.invalidPrimaryKey();
    }
    if (Ids.isUuid(key)) {
      Optional<ObjectNode> byId = tx.get(type, key.toLowerCase());
      if (byId.isPresent() || type.uniqueFields().isEmpty()) {
        return byId;
      }
    }
    if (type.uniqueFields().contains(type.endpointKey())) {
      return tx.findUnique(type, List.of(type.endpointKey()), List.of(key));
    }
    return Optional.empty();
  }

  /**
   * A child of a parent by id, or by the field a key names within its parent ({@link
   * EntityType#keyWithin}): an acl by its group within its consumer.
   */
  public Optional<ObjectNode> selectWithin(EntityType type, String parentField, String parentId, String key) {
    String field = Ids.isUuid(key) ? null : type.keyWithin(parentField);
    if (field == null) {
      return select(type, key).filter(e -> parentId.equals(Json.text(e.get(parentField), "id")));
    }
    return store.read(tx -> tx.findUnique(type, List.of(parentField, field), List.of(parentId, key)));
  }

  /** A target of an upstream, by id or by its {@code host:port} (normalised as stored). */
  public Optional<ObjectNode> selectTarget(String upstreamId, String key) {
    return store.read(tx -> selectTarget(tx, upstreamId, key));
  }

  static Optional<ObjectNode> selectTarget(StoreTx tx, String upstreamId, String key) {
    Optional<ObjectNode> found;
    if (Ids.isUuid(key)) {
      found = tx.get(Entities.TARGETS, key.toLowerCase());
    } else {
      found =
          tx.findUnique(
              Entities.TARGETS,
              List.of("upstream", "target"),
              List.of(upstreamId, Entities.normalizeTarget(key)));
    }
    return found.filter(t -> upstreamId.equals(Json.text(t.get("upstream"), "id")));
  }

  public Page page(EntityType type, PageRequest request) {
    try {
      return store.read(tx -> tx.page(type, request));
    } catch (InvalidOffsetException e) {
      throw DaoException.invalidOffset(e.getMessage());
    }
  }

  /** Kong's {@code /tags} listing (of one tag when {@code tag} is not null). */
  public Page tags(String tag, int size, String offset) {
    try {
      return store.read(tx -> tx.tags(tag, size, offset));
    } catch (InvalidOffsetException e) {
      throw DaoException.invalidOffset(e.getMessage());
    }
  }

  public List<ObjectNode> all(EntityType type) {
    return store.read(tx -> tx.all(type));
  }

  /**
   * Publishes a manual health change for every node to apply (nothing is stored: like Kong's,
   * it lasts until the checks or another change say otherwise). Returns the event's id.
   */
  public long postHealth(String upstreamId, String target, boolean healthy) {
    return write(tx -> tx.publish(ChangeEvent.POST_HEALTH, ChangeEvent.postHealth(upstreamId, target, healthy)));
  }

  /** Publishes an event for every node to apply that changes no entity (a cache purge). */
  public long broadcast(String channel, String data) {
    return write(tx -> tx.publish(channel, data));
  }

  // ----------------------------------------------------------------- writes

  public ObjectNode insert(EntityType type, ObjectNode input) {
    return write(tx -> insert(tx, type, input));
  }

  private ObjectNode insert(StoreTx tx, EntityType type, ObjectNode input) {
    return insert(tx, type, input, null, true);
  }

  /**
   * @param updatedAt the timestamp to keep (an imported entity's), or null for now
   * @param transform whether to apply Kong's write transformations (a basic-auth password is
   *     hashed); an export's entities are stored as they are ({@code _transform: false})
   */
  private ObjectNode insert(StoreTx tx, EntityType type, ObjectNode input, JsonNode updatedAt, boolean transform) {
    ObjectNode given = input.deepCopy();
    type.schema().applyShorthands(input);
    resolveForeignKeys(tx, type, input);
    String id = Json.text(input, "id");
    if (id != null && Ids.isUuid(id) && tx.get(type, id.toLowerCase()).isPresent()) {
      throw DaoException.primaryKeyViolation(id);
    }
    stampNew(type, input);
    if (type == PluginEntities.KEYAUTH_CREDENTIALS && Json.isNull(input.get("key"))) {
      input.put("key", Ids.randomKey());
    }
    if (!Json.isNull(updatedAt) && type.schema().field("updated_at") != null) {
      input.set("updated_at", updatedAt);
    }
    ObjectNode entity = validate(type, input, given, null, transform);
    checkReferences(tx, type, entity);
    checkUnique(tx, type, entity);
    tx.insert(type, entity);
    tx.publish(ChangeEvent.INVALIDATIONS, type.name() + ":create:" + Json.text(entity, "id"));
    return entity;
  }

  /**
   * One entity of a whole configuration loaded at once; {@code name} says which, in errors;
   * {@code transform} is the file's {@code _transform} (false in an export: its basic-auth
   * passwords are hashes already).
   */
  public record Loaded(EntityType type, ObjectNode doc, String name, boolean transform) {
    public Loaded(EntityType type, ObjectNode doc, String name) {
      this(type, doc, name, true);
    }
  }

  /**
   * Loads a whole configuration in one transaction (parents before children): every entity is
   * validated and checked as a POST would be, and every error is reported, not just the first;
   * with any error nothing changes. With {@code replace} the entities now stored are deleted
   * first ({@code POST /config}); without, the configuration is added ({@code config db_import}).
   * Timestamps the file gives are kept, so an export imported and exported again is identical.
   */
  public void load(List<Loaded> items, boolean replace) {
    write(tx -> {
      if (replace) {
        for (int t = Entities.ALL.size() - 1; t >= 0; t--) {
          EntityType type = Entities.ALL.get(t);
          for (ObjectNode doc : tx.all(type)) {
            if (tx.get(type, Json.text(doc, "id")).isPresent()) {
              delete(tx, type, Json.text(doc, "id"));
            }
          }
        }
      }
      ObjectNode fields = Json.object();
      com.fasterxml.jackson.databind.node.ArrayNode flattened = Json.NODES.arrayNode();
      for (Loaded item : LOAD_ORDER.stream()
          .flatMap(type -> items.stream().filter(i -> i.type() == type)).toList()) {
        try {
          JsonNode updatedAt = item.doc().get("updated_at");
          insert(tx, item.type(), item.doc().deepCopy(), updatedAt, item.transform());
        } catch (DaoException e) {
          JsonNode errs = e.body().has("fields") ? e.body().get("fields") : Json.object().put("@entity", e.getMessage());
          (fields.has(item.type().name()) ? (com.fasterxml.jackson.databind.node.ArrayNode) fields.get(item.type().name())
              : fields.putArray(item.type().name())).add(Json.object().put("entity", item.name()).set("errors", errs));
          ObjectNode flat = flattened.addObject();
          flat.put("entity_type", item.type().name().replaceAll("s$", ""));
          flat.put("entity_name", item.name());
          flat.put("message", e.getMessage());
          flat.set("errors", errs);
        }
      }
      if (!flattened.isEmpty()) {
        throw DaoException.invalidDeclarative(fields, flattened);
      }
      return null;
    });
  }

  private static final List<EntityType> LOAD_ORDER =
      List.of(Entities.SERVICES, Entities.UPSTREAMS, Entities.ROUTES, Entities.TARGETS,
          PluginEntities.CONSUMERS, PluginEntities.PLUGINS, PluginEntities.KEYAUTH_CREDENTIALS,
          PluginEntities.BASICAUTH_CREDENTIALS, PluginEntities.ACLS,
          SecretEntities.VAULTS, SecretEntities.KEY_SETS, SecretEntities.KEYS);

  /** PATCH: merges {@code patch} into the stored entity (records deep, the rest replaced). */
  public ObjectNode update(EntityType type, String id, ObjectNode patch) {
    return write(
        tx -> {
          ObjectNode existing =
              tx.get(type, id).orElseThrow(() -> DaoException.notFound(Json.object().put("id", id)));
          ObjectNode given = patch.deepCopy();
          type.schema().applyShorthands(patch);
          resolveForeignKeys(tx, type, patch);
          patch.remove("id");
          ObjectNode merged = type.schema().mergeWithSchema(existing, patch);
          stampUpdated(type, merged, now(type));
          ObjectNode entity = validate(type, merged, given, existing, true);
          checkReferences(tx, type, entity);
          checkUnique(tx, type, entity);
          tx.update(type, entity);
          tx.publish(ChangeEvent.INVALIDATIONS, type.name() + ":update:" + id);
          return entity;
        });
  }

  /**
   * PUT: creates or replaces the entity at {@code existingId} (null when none exists); fields the
   * body leaves out take their defaults again. {@code id} is the id to create with.
   */
  public ObjectNode upsert(EntityType type, String existingId, String id, ObjectNode input) {
    return write(
        tx -> {
          Optional<ObjectNode> existing =
              existingId == null ? Optional.empty() : tx.get(type, existingId);
          if (existing.isEmpty()) {
            input.put("id", id);
            return insert(tx, type, input);
          }
          ObjectNode given = input.deepCopy();
          type.schema().applyShorthands(input);
          resolveForeignKeys(tx, type, input);
          input.put("id", existingId);
          input.set("created_at", existing.get().get("created_at"));
          stampUpdated(type, input, now(type));
          ObjectNode entity = validate(type, input, given, null, true);
          checkReferences(tx, type, entity);
          checkUnique(tx, type, entity);
          tx.update(type, entity);
          tx.publish(ChangeEvent.INVALIDATIONS, type.name() + ":update:" + existingId);
          return entity;
        });
  }

  /** Deletes the entity and its cascading children; refuses if a restricting child exists. */
  public void delete(EntityType type, String id) {
    write(
        tx -> {
          delete(tx, type, id);
          return null;
        });
  }

  private void delete(StoreTx tx, EntityType type, String id) {
    for (EntityType child : Entities.ALL) {
      EntityType.ForeignKey fk = child.foreignKeyTo(type.name());
      if (fk == null) {
        continue;
      }
      List<ObjectNode> children = tx.children(child, fk.field(), id);
      if (children.isEmpty()) {
        continue;
      }
      if (!fk.cascade()) {
        throw DaoException.referencedBy(type.name(), child.name());
      }
      for (ObjectNode c : children) {
        delete(tx, child, Json.text(c, "id"));
      }
    }
    tx.delete(type, id);
    tx.publish(ChangeEvent.INVALIDATIONS, type.name() + ":delete:" + id);
  }

  private <T> T write(Store.Work<T> work) {
    try {
      return store.write(work);
    } catch (UniqueViolationException e) {
      throw DaoException.uniqueViolation(Json.object().put("message", e.getMessage()));
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The entity as it will be stored, or a schema violation listing every error. Kong's
   * transformations (a basic-auth password hashed) run after validation, so that its errors are
   * about what the client sent.
   *
   * @param given the request's body as it came
   * @param stored the entity a PATCH changes, else null
   * @param transform whether to run the transformations
   */
  private static ObjectNode validate(
      EntityType type, ObjectNode input, ObjectNode given, ObjectNode stored, boolean transform) {
    FieldErrors errors = new FieldErrors();
    ObjectNode entity = type.schema().validate(input, errors);
    if (type == PluginEntities.BASICAUTH_CREDENTIALS) {
      BasicAuthPasswords.check(entity, given, stored, errors);
    }
    if (!errors.isEmpty()) {
      throw DaoException.schemaViolation(errors);
    }
    if (type == PluginEntities.BASICAUTH_CREDENTIALS && transform) {
      BasicAuthPasswords.apply(entity, given);
    }
    if (type == Entities.TARGETS) {
      entity.put("target", Entities.normalizeTarget(entity.get("target").asText()));
    }
    if (Json.text(entity, "id") != null) {
      entity.put("id", Json.text(entity, "id").toLowerCase());
    }
    return entity;
  }

  private static void stampNew(EntityType type, ObjectNode input) {
    if (Json.isNull(input.get("id"))) {
      input.put("id", Ids.newId());
    }
    JsonNode now = now(type);
    if (Json.isNull(input.get("created_at"))) {
      input.set("created_at", now);
    }
    stampUpdated(type, input, now);
  }

  /** Entities with an updated_at (not every one has: key-auth credentials do not). */
  private static void stampUpdated(EntityType type, ObjectNode entity, JsonNode now) {
    if (type.schema().field("updated_at") != null) {
      entity.set("updated_at", now);
    }
  }

  private static JsonNode now(EntityType type) {
    long millis = System.currentTimeMillis();
    if (type.millisecondTimestamps()) {
      return Json.NODES.numberNode(java.math.BigDecimal.valueOf(millis, 3));
    }
    return Json.NODES.numberNode(millis / 1000);
  }

  /** {@code service: {name: "x"}} is resolved to the service's id, as Kong does. */
  private static void resolveForeignKeys(StoreTx tx, EntityType type, ObjectNode input) {
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      JsonNode ref = input.get(fk.field());
      if (ref == null || !ref.isObject() || ref.has("id")) {
        continue;
      }
      EntityType parent = Entities.byName(fk.parent());
      String key = parent.endpointKey();
      JsonNode value = ref.get(key);
      if (value == null || !value.isTextual()) {
        continue;
      }
      Optional<ObjectNode> found = tx.findUnique(parent, List.of(key), List.of(value.asText()));
      if (found.isEmpty()) {
        throw DaoException.foreignKeyUnresolved(fk.field(), key, value.asText(), parent.name());
      }
      input.set(fk.field(), Json.object().put("id", Json.text(found.get(), "id")));
    }
  }

  private static void checkReferences(StoreTx tx, EntityType type, ObjectNode entity) {
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      JsonNode ref = entity.get(fk.field());
      if (Json.isNull(ref)) {
        continue;
      }
      String parentId = Json.text(ref, "id");
      if (tx.get(Entities.byName(fk.parent()), parentId).isEmpty()) {
        throw DaoException.foreignKeyMissing(fk.field(), fk.parent(), Json.object().put("id", parentId));
      }
    }
  }

  private static void checkUnique(StoreTx tx, EntityType type, ObjectNode entity) {
    String id = Json.text(entity, "id");
    for (String field : type.uniqueFields()) {
      String value = Json.text(entity, field);
      if (value == null) {
        continue;
      }
      Optional<ObjectNode> other = tx.findUnique(type, List.of(field), List.of(value));
      if (other.isPresent() && !id.equals(Json.text(other.get(), "id"))) {
        throw DaoException.uniqueViolation(Json.object().put(field, value));
      }
    }
    if (!type.compositeUnique().isEmpty()) {
      List<String> values = new ArrayList<>();
      ObjectNode key = Json.object();
      for (String field : type.compositeUnique()) {
        JsonNode v = entity.get(field);
        key.set(field, v);
        values.add(Json.isNull(v) ? null : v.isObject() ? Json.text(v, "id") : v.asText());
      }
      Optional<ObjectNode> other = tx.findUnique(type, type.compositeUnique(), values);
      if (other.isPresent() && !id.equals(Json.text(other.get(), "id"))) {
        throw DaoException.uniqueViolation(key);
      }
    }
  }
}
