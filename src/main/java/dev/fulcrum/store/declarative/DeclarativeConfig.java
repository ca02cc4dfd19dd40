package dev.fulcrum.store.declarative;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.SecretEntities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Ids;
import dev.fulcrum.model.Json;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.DaoException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kong's declarative configuration ({@code _format_version: "3.0"}, YAML or JSON): read nested
 * (routes inside their service, targets inside their upstream, as decK writes them) or flat
 * (a route's {@code service} given by name or id), and written flat with every field, as
 * {@code kong config db_export} does, so that an export imported and exported again is identical.
 */
public final class DeclarativeConfig {
  public static final String FORMAT_VERSION = "3.0";
  private static final Set<String> VERSIONS = Set.of("1.1", "2.1", "3.0");
  private static final Set<String> META = Set.of("_format_version", "_transform", "_comment", "_workspace", "_info");
  private static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

  private DeclarativeConfig() {}

  /** Whether a file name asks for YAML (else JSON). */
  public static boolean isYaml(String fileName) {
    String f = fileName.toLowerCase(java.util.Locale.ROOT);
    return f.endsWith(".yml") || f.endsWith(".yaml");
  }

  /**
   * The entities of a configuration text (YAML, of which JSON is a part), parents first.
   *
   * @throws DaoException listing every error of the file's shape (the entities themselves are
   *     checked when loaded)
   */
  public static List<Dao.Loaded> parse(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw invalid("@entity", "failed parsing declarative configuration: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw invalid("@entity", "expected an object");
    }
    ObjectNode fields = Json.object();
    JsonNode version = root.get("_format_version");
    if (version == null) {
      fields.put("_format_version", "required field missing");
    } else if (!VERSIONS.contains(version.asText())) {
      fields.put("_format_version", "expected one of: 1.1, 2.1, 3.0");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!META.contains(key) && Entities.byName(key) == null) {
        fields.put(key, "unknown field");
      }
    }
    JsonNode transform = root.get("_transform");
    if (transform != null && !transform.isNull() && !transform.isBoolean()) {
      fields.put("_transform", "expected a boolean");
    }
    if (!fields.isEmpty()) {
      throw DaoException.invalidDeclarative(fields, Json.NODES.arrayNode());
    }
    // Kong's default: a file's basic-auth passwords are clear text, hashed on load; an export
    // says "_transform: false", its passwords being hashes already.
    boolean hash = transform == null || transform.isNull() || transform.asBoolean();
    List<Dao.Loaded> out = new ArrayList<>();
    for (EntityType type : Entities.ALL) {
      for (JsonNode node : list(root, type.name())) {
        add(reference(node, type), type, out, hash);
      }
    }
    return out;
  }

  /** The configuration as {@code db_export} writes it: every entity, flat, foreign keys by id. */
  public static ObjectNode export(Map<EntityType, List<ObjectNode>> entities) {
    ObjectNode root = Json.object();
    root.put("_format_version", FORMAT_VERSION);
    root.put("_transform", false);
    for (EntityType type : Entities.ALL) {
      List<ObjectNode> docs = entities.getOrDefault(type, List.of());
      if (docs.isEmpty()) {
        continue;
      }
      ArrayNode list = root.putArray(type.name());
      for (ObjectNode doc : docs) {
        ObjectNode flat = doc.deepCopy();
        for (EntityType.ForeignKey fk : type.foreignKeys()) {
          JsonNode ref = flat.get(fk.field());
          if (ref != null && ref.isObject()) {
            flat.put(fk.field(), Json.text(ref, "id"));
          }
        }
        list.add(flat);
      }
    }
    return root;
  }

  /** The text of a configuration, YAML or JSON. */
  public static String write(ObjectNode config, boolean yaml) {
    try {
      return yaml ? YAML.writeValueAsString(config) : Json.write(config) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Entities a file may nest in another: the list's name and the child's field naming the parent. */
  private record Nest(String key, EntityType child, String field) {}

  private static final Map<EntityType, List<Nest>> NESTS = Map.of(
      Entities.SERVICES, List.of(new Nest("routes", Entities.ROUTES, "service"),
          new Nest("plugins", PluginEntities.PLUGINS, "service")),
      Entities.ROUTES, List.of(new Nest("plugins", PluginEntities.PLUGINS, "route")),
      Entities.UPSTREAMS, List.of(new Nest("targets", Entities.TARGETS, "upstream")),
      PluginEntities.CONSUMERS, List.of(new Nest("keyauth_credentials", PluginEntities.KEYAUTH_CREDENTIALS, "consumer"),
          new Nest("basicauth_credentials", PluginEntities.BASICAUTH_CREDENTIALS, "consumer"),
          new Nest("acls", PluginEntities.ACLS, "consumer"),
          new Nest("plugins", PluginEntities.PLUGINS, "consumer")),
      SecretEntities.KEY_SETS, List.of(new Nest("keys", SecretEntities.KEYS, "set")));

  /** One entity of the file, and the entities nested in it, pointed at it by id (at any depth). */
  private static void add(ObjectNode node, EntityType type, List<Dao.Loaded> out, boolean transform) {
    List<Nest> nests = NESTS.getOrDefault(type, List.of());
    ObjectNode doc = node.deepCopy();
    nests.forEach(n -> doc.remove(n.key()));
    for (Nest n : nests) {
      for (JsonNode c : list(node, n.key())) {
        ObjectNode child = reference(c, n.child());
        child.set(n.field(), Json.object().put("id", idOf(doc)));
        add(child, n.child(), out, transform);
      }
    }
    out.add(new Dao.Loaded(type, doc, label(doc), transform));
  }

  private static Iterable<JsonNode> list(JsonNode parent, String field) {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw invalid(field, "expected an array");
    }
    for (JsonNode e : v) {
      if (!e.isObject()) {
        throw invalid(field, "expected an array of objects");
      }
    }
    return v;
  }

  private static ObjectNode copyWithout(JsonNode node, String children) {
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove(children);
    return copy;
  }

  /** The entity's id, given one first if the file has none (its nested children point at it). */
  private static String idOf(ObjectNode parent) {
    String id = Json.text(parent, "id");
    if (id == null) {
      id = Ids.newId();
      parent.put("id", id);
    }
    return id;
  }

  /** An entity's foreign keys given as strings: an id, or the parent's name (its endpoint key). */
  private static ObjectNode reference(JsonNode node, EntityType type) {
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      JsonNode ref = copy.get(fk.field());
      EntityType parent = Entities.byName(fk.parent());
      if (ref != null && ref.isTextual() && parent != null) {
        copy.set(fk.field(), Ids.isUuid(ref.asText()) ? Json.object().put("id", ref.asText())
            : Json.object().put(parent.endpointKey(), ref.asText()));
      }
    }
    return copy;
  }

  private static String label(ObjectNode doc) {
    for (String key : List.of("name", "username", "target", "group", "id")) {
      String v = Json.text(doc, key);
      if (v != null) {
        return v;
      }
    }
    return "(unnamed)";
  }

  private static DaoException invalid(String field, String message) {
    return DaoException.invalidDeclarative(Json.object().put(field, message), Json.NODES.arrayNode());
  }
}
