package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An entity schema: ordered fields, entity-level checks and input shorthands. It turns user input
 * into a complete entity (every field present, defaults filled) or a Kong-shaped error tree.
 */
public final class Schema {
  /** A check across fields; adds to {@code errors} and skips itself if its fields already failed. */
  @FunctionalInterface
  public interface EntityCheck {
    void check(ObjectNode entity, FieldErrors errors);
  }

  /**
   * Kong's subschemas: an entity whose shape depends on one of its fields (a plugin's
   * {@code config} on its {@code name}). The whole entity is validated by the subschema its key
   * names; an unknown key is an error on that field.
   */
  public interface Subschemas {
    String key();

    /** The schema for this value of the key, or null when there is none. */
    Schema forKey(String value);

    /** The error on the key field for a value with no subschema. */
    String unknown(String value);
  }

  private final List<Field> fields;
  private final List<EntityCheck> checks;
  private final List<Consumer<ObjectNode>> shorthands;
  private final Subschemas subschemas;

  public Schema(List<Field> fields, List<EntityCheck> checks, List<Consumer<ObjectNode>> shorthands) {
    this(fields, checks, shorthands, null);
  }

  public Schema(List<Field> fields, List<EntityCheck> checks, List<Consumer<ObjectNode>> shorthands,
      Subschemas subschemas) {
    this.fields = List.copyOf(fields);
    this.checks = List.copyOf(checks);
    this.shorthands = List.copyOf(shorthands);
    this.subschemas = subschemas;
  }

  /** The subschema {@code input}'s key names, or null (no subschemas, or an unknown key). */
  private Schema sub(JsonNode input) {
    if (subschemas == null || input == null) {
      return null;
    }
    String value = Json.text(input, subschemas.key());
    return value == null ? null : subschemas.forKey(value);
  }

  public List<Field> fields() {
    return fields;
  }

  /** This schema as Kong's {@code GET /schemas/...} shows one: its fields, in order. */
  public ObjectNode describe() {
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("fields");
    fields.forEach(f -> list.add(f.describe()));
    return out;
  }

  public Field field(String name) {
    for (Field f : fields) {
      if (f.name.equals(name)) {
        return f;
      }
    }
    return null;
  }

  /** Rewrites write-only shorthand fields (such as a service's {@code url}) in place. */
  public void applyShorthands(ObjectNode input) {
    Schema sub = sub(input);
    if (sub != null) {
      sub.applyShorthands(input);
      return;
    }
    for (Consumer<ObjectNode> s : shorthands) {
      s.accept(input);
    }
  }

  /**
   * Validates {@code input} and returns the complete entity in schema order. Absent fields take
   * their defaults. Errors are added to {@code errors}; the result is then meaningless.
   */
  public ObjectNode validate(ObjectNode input, FieldErrors errors) {
    Schema sub = sub(input);
    if (sub != null) {
      return sub.validate(input, errors);
    }
    if (subschemas != null && Json.text(input, subschemas.key()) != null) {
      // Without its subschema nothing else of the entity can be judged: the key is the error.
      errors.field(subschemas.key(), subschemas.unknown(Json.text(input, subschemas.key())));
      return record(fields, input, new FieldErrors());
    }
    ObjectNode out = record(fields, input, errors);
    if (errors.isEmpty()) {
      for (EntityCheck c : checks) {
        c.check(out, errors);
      }
    }
    return out;
  }

  /** PATCH semantics: record fields merge recursively; arrays, sets and maps are replaced. */
  public ObjectNode mergeWithSchema(ObjectNode existing, ObjectNode patch) {
    Schema sub = sub(patch.has(subschemas == null ? "" : subschemas.key()) ? patch : existing);
    if (sub != null) {
      return sub.mergeWithSchema(existing, patch);
    }
    return mergeRecord(fields, existing, patch);
  }

  private static ObjectNode mergeRecord(List<Field> fields, ObjectNode existing, ObjectNode patch) {
    ObjectNode out = existing.deepCopy();
    patch
        .fields()
        .forEachRemaining(
            e -> {
              Field f = find(fields, e.getKey());
              JsonNode old = out.get(e.getKey());
              if (f != null
                  && f.kind == Field.Kind.RECORD
                  && old != null
                  && old.isObject()
                  && e.getValue().isObject()) {
                out.set(e.getKey(), mergeRecord(f.fields, (ObjectNode) old, (ObjectNode) e.getValue()));
              } else {
                out.set(e.getKey(), e.getValue());
              }
            });
    return out;
  }

  private static Field find(List<Field> fields, String name) {
    for (Field f : fields) {
      if (f.name.equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static ObjectNode record(List<Field> fields, ObjectNode input, FieldErrors errors) {
    for (Iterator<String> it = input.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (find(fields, key) == null) {
        errors.field(key, "unknown field");
      }
    }
    ObjectNode out = Json.object();
    for (Field f : fields) {
      JsonNode v = input.get(f.name);
      if (v == null || v.isMissingNode()) {
        v = f.defaultFor();
      }
      if (Json.isNull(v)) {
        if (f.required) {
          errors.field(f.name, "required field missing");
        }
        out.putNull(f.name);
        continue;
      }
      out.set(f.name, value(f, v, errors));
    }
    return out;
  }

  /** Validates one present value; returns its normalised form. */
  private static JsonNode value(Field f, JsonNode v, FieldErrors errors) {
    switch (f.kind) {
      case STRING:
        if (!v.isTextual()) {
          errors.field(f.name, "expected a string");
          return v;
        }
        break;
      case INTEGER:
        if (!v.isNumber() || (!v.isIntegralNumber() && v.asDouble() != Math.rint(v.asDouble()))) {
          errors.field(f.name, "expected an integer");
          return v;
        }
        v = Json.NODES.numberNode(v.asLong());
        break;
      case NUMBER:
        if (!v.isNumber()) {
          errors.field(f.name, "expected a number");
          return v;
        }
        break;
      case BOOLEAN:
        if (!v.isBoolean()) {
          errors.field(f.name, "expected a boolean");
          return v;
        }
        break;
      case ARRAY:
      case SET:
        if (v.isObject() && v.isEmpty()) {
          // Lua's JSON encoder writes an empty table as {}: Kong takes it as an empty array.
          v = Json.array();
        }
        if (!v.isArray()) {
          errors.field(f.name, f.kind == Field.Kind.SET ? "expected a set" : "expected an array");
          return v;
        }
        v = elements(f, (ArrayNode) v, errors);
        if (errors.has(f.name)) {
          return v;
        }
        break;
      case MAP:
        if (!v.isObject()) {
          errors.field(f.name, "expected a map");
          return v;
        }
        v = mapValues(f, (ObjectNode) v, errors);
        if (errors.has(f.name)) {
          return v;
        }
        break;
      case RECORD:
        if (!v.isObject()) {
          errors.field(f.name, "expected a record");
          return v;
        }
        FieldErrors inner = new FieldErrors();
        v = record(f.fields, (ObjectNode) v, inner);
        errors.nested(f.name, inner);
        if (!inner.isEmpty()) {
          return v;
        }
        break;
      case FOREIGN:
        return foreign(f, v, errors);
      default:
        throw new IllegalStateException(f.kind.toString());
    }
    for (Field.Check c : f.checks) {
      String message = c.apply(v);
      if (message != null) {
        errors.field(f.name, message);
        break;
      }
    }
    return v;
  }

  private static JsonNode elements(Field f, ArrayNode in, FieldErrors errors) {
    ArrayNode out = Json.array();
    Map<Integer, JsonNode> failures = new TreeMap<>();
    Set<JsonNode> seen = new HashSet<>();
    for (int i = 0; i < in.size(); i++) {
      JsonNode e = in.get(i);
      if (f.kind == Field.Kind.SET && !seen.add(e)) {
        continue;
      }
      FieldErrors one = new FieldErrors();
      JsonNode normalised = Json.isNull(e) ? e : value(f.elements, e, one);
      if (Json.isNull(e)) {
        one.field(f.elements.name, "required field missing");
      }
      if (!one.isEmpty()) {
        failures.put(i, one.toJson().get(f.elements.name));
      }
      out.add(normalised);
    }
    errors.elements(f.name, failures);
    return out;
  }

  private static JsonNode mapValues(Field f, ObjectNode in, FieldErrors errors) {
    ObjectNode out = Json.object();
    FieldErrors inner = new FieldErrors();
    Map<String, JsonNode> ordered = new LinkedHashMap<>();
    in.fields().forEachRemaining(e -> ordered.put(e.getKey(), e.getValue()));
    for (Map.Entry<String, JsonNode> e : ordered.entrySet()) {
      FieldErrors one = new FieldErrors();
      JsonNode normalised = value(f.elements, e.getValue(), one);
      if (!one.isEmpty()) {
        inner.toJson().set(e.getKey(), one.toJson().get(f.elements.name));
      }
      out.set(e.getKey(), normalised);
    }
    errors.nested(f.name, inner);
    return out;
  }

  private static JsonNode foreign(Field f, JsonNode v, FieldErrors errors) {
    if (!v.isObject()) {
      errors.field(f.name, "expected a record");
      return v;
    }
    FieldErrors inner = new FieldErrors();
    // A reference is a record of the parent's primary key: anything else in it is an error there.
    v.fieldNames().forEachRemaining(k -> {
      if (!k.equals("id")) {
        inner.field(k, "unknown field");
      }
    });
    JsonNode id = v.get("id");
    if (Json.isNull(id)) {
      inner.field("id", "missing primary key");
    } else if (!id.isTextual() || !Ids.isUuid(id.asText())) {
      inner.field("id", "expected a valid UUID");
    }
    errors.nested(f.name, inner);
    ObjectNode out = Json.object();
    out.set("id", id == null ? Json.NODES.nullNode() : id);
    return out;
  }

  /**
   * Form bodies carry only strings; Kong infers each value against the schema: numbers and
   * booleans are converted, a single value for an array becomes a one-element array, and
   * {@code a[1]=x} style indexes become arrays.
   */
  public void infer(ObjectNode input) {
    infer(input, null);
  }

  /** As {@link #infer(ObjectNode)}, for a change to {@code existing} (its subschema key may be left out). */
  public void infer(ObjectNode input, JsonNode existing) {
    Schema sub = subschemas != null && !input.has(subschemas.key()) ? sub(existing) : sub(input);
    inferRecord(sub != null ? sub.fields : fields, input);
  }

  private static void inferRecord(List<Field> fields, ObjectNode input) {
    List<String> names = new ArrayList<>();
    input.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      Field f = find(fields, name);
      if (f != null) {
        input.set(name, inferValue(f, input.get(name)));
      }
    }
  }

  static JsonNode inferValue(Field f, JsonNode v) {
    if (v == null || v.isNull()) {
      return v;
    }
    switch (f.kind) {
      case INTEGER:
      case NUMBER:
        if (v.isTextual()) {
          try {
            String t = v.asText().trim();
            if (f.kind == Field.Kind.INTEGER && t.matches("-?\\d+")) {
              return Json.NODES.numberNode(Long.parseLong(t));
            }
            return Json.number(Double.parseDouble(t));
          } catch (NumberFormatException e) {
            return v;
          }
        }
        return v;
      case BOOLEAN:
        if (v.isTextual()) {
          if (v.asText().equals("true")) {
            return Json.NODES.booleanNode(true);
          }
          if (v.asText().equals("false")) {
            return Json.NODES.booleanNode(false);
          }
        }
        return v;
      case ARRAY:
      case SET:
        {
          ArrayNode arr;
          if (v.isArray()) {
            arr = (ArrayNode) v;
          } else if (v.isObject() && allIndexes(v)) {
            TreeMap<Integer, JsonNode> byIndex = new TreeMap<>();
            v.fields().forEachRemaining(e -> byIndex.put(Integer.parseInt(e.getKey()), e.getValue()));
            arr = Json.array();
            byIndex.values().forEach(arr::add);
          } else {
            arr = Json.array();
            arr.add(v);
          }
          ArrayNode out = Json.array();
          for (JsonNode e : arr) {
            out.add(inferValue(f.elements, e));
          }
          return out;
        }
      case MAP:
        if (v.isObject()) {
          ObjectNode out = Json.object();
          v.fields().forEachRemaining(e -> out.set(e.getKey(), inferValue(f.elements, e.getValue())));
          return out;
        }
        return v;
      case RECORD:
        if (v.isObject()) {
          inferRecord(f.fields, (ObjectNode) v);
        }
        return v;
      case FOREIGN:
        if (v.isTextual()) {
          ObjectNode ref = Json.object();
          ref.put("id", v.asText());
          return ref;
        }
        return v;
      case STRING:
      default:
        if (v.getNodeType() == JsonNodeType.OBJECT && allIndexes(v) && v.size() == 1) {
          return v.elements().next();
        }
        return v;
    }
  }

  private static boolean allIndexes(JsonNode v) {
    if (v.isEmpty()) {
      return false;
    }
    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
      if (!it.next().matches("\\d+")) {
        return false;
      }
    }
    return true;
  }
}
