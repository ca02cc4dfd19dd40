package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One field of an entity schema, with Kong's type vocabulary (string, integer, number, boolean,
 * array, set, map, record, foreign) and validation messages. Built once at class-load time; treat
 * as immutable afterwards.
 */
public final class Field {
  public enum Kind {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    ARRAY,
    SET,
    MAP,
    RECORD,
    FOREIGN
  }

  /** Values filled in by the store rather than the user. */
  public enum Auto {
    NONE,
    UUID,
    TIMESTAMP_S,
    TIMESTAMP_MS
  }

  /** A check of a present, well-typed value: returns the error message or null. */
  @FunctionalInterface
  public interface Check extends Function<JsonNode, String> {}

  final String name;
  final Kind kind;
  boolean required;
  JsonNode defaultValue;
  Auto auto = Auto.NONE;
  Field elements;
  List<Field> fields = List.of();
  String reference;
  final List<Check> checks = new ArrayList<>();
  /** What the checks mean, in Kong's schema words ({@code one_of}, {@code between}, ...), for /schemas. */
  final ObjectNode described = JsonNodeFactory.instance.objectNode();

  private Field(String name, Kind kind) {
    this.name = name;
    this.kind = kind;
  }

  public static Field string(String name) {
    return new Field(name, Kind.STRING);
  }

  public static Field integer(String name) {
    return new Field(name, Kind.INTEGER);
  }

  public static Field number(String name) {
    return new Field(name, Kind.NUMBER);
  }

  public static Field bool(String name) {
    return new Field(name, Kind.BOOLEAN);
  }

  public static Field array(String name, Field elements) {
    Field f = new Field(name, Kind.ARRAY);
    f.elements = elements;
    return f;
  }

  public static Field set(String name, Field elements) {
    Field f = new Field(name, Kind.SET);
    f.elements = elements;
    return f;
  }

  /** A map from string keys to {@code values}. */
  public static Field map(String name, Field values) {
    Field f = new Field(name, Kind.MAP);
    f.elements = values;
    return f;
  }

  public static Field record(String name, Field... fields) {
    Field f = new Field(name, Kind.RECORD);
    f.fields = List.of(fields);
    return f;
  }

  public static Field foreign(String name, String reference) {
    Field f = new Field(name, Kind.FOREIGN);
    f.reference = reference;
    return f;
  }

  public static Field uuid(String name) {
    Field f = string(name);
    f.auto = Auto.UUID;
    f.checks.add(v -> Ids.isUuid(v.asText()) ? null : "expected a valid UUID");
    return f;
  }

  public static Field timestamp(String name) {
    Field f = integer(name);
    f.auto = Auto.TIMESTAMP_S;
    return f;
  }

  public static Field timestampMs(String name) {
    Field f = number(name);
    f.auto = Auto.TIMESTAMP_MS;
    return f;
  }

  public Field required() {
    this.required = true;
    return this;
  }

  public Field defaults(JsonNode value) {
    this.defaultValue = value;
    return this;
  }

  public Field defaults(String value) {
    return defaults(JsonNodeFactory.instance.textNode(value));
  }

  public Field defaults(long value) {
    return defaults(JsonNodeFactory.instance.numberNode(value));
  }

  public Field defaults(double value) {
    return defaults(Json.number(value));
  }

  public Field defaults(boolean value) {
    return defaults(JsonNodeFactory.instance.booleanNode(value));
  }

  /** Default for arrays of numbers, e.g. http_statuses. */
  public Field defaultInts(int... values) {
    ArrayNode arr = Json.array();
    for (int v : values) {
      arr.add(v);
    }
    return defaults(arr);
  }

  public Field defaultStrings(String... values) {
    ArrayNode arr = Json.array();
    for (String v : values) {
      arr.add(v);
    }
    return defaults(arr);
  }

  public Field check(Check check) {
    checks.add(check);
    return this;
  }

  public Field between(long min, long max) {
    described.putArray("between").add(min).add(max);
    return check(
        v -> {
          double d = v.asDouble();
          return d < min || d > max ? "value should be between " + min + " and " + max : null;
        });
  }

  public Field oneOf(String... values) {
    ArrayNode listed = described.putArray("one_of");
    Arrays.stream(values).forEach(listed::add);
    List<String> allowed = Arrays.asList(values);
    String message = "expected one of: " + String.join(", ", values);
    return check(v -> allowed.contains(v.asText()) ? null : message);
  }

  public Field oneOfInts(int... values) {
    ArrayNode listed = described.putArray("one_of");
    Arrays.stream(values).forEach(listed::add);
    String message =
        "expected one of: "
            + Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", "));
    return check(
        v -> {
          for (int allowed : values) {
            if (v.asLong() == allowed) {
              return null;
            }
          }
          return message;
        });
  }

  public Field lenMin(int min) {
    described.put("len_min", min);
    return check(
        v -> {
          int len = v.isTextual() ? v.asText().length() : v.size();
          return len < min ? "length must be at least " + min : null;
        });
  }

  public Field startsWith(String prefix) {
    described.put("starts_with", prefix);
    return check(v -> v.asText().startsWith(prefix) ? null : "should start with: " + prefix);
  }

  public String name() {
    return name;
  }

  /**
   * This field as Kong's {@code /schemas} describe one: {@code {"<name>": {"type": ..., ...}}}.
   */
  public ObjectNode describe() {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set(name, attributes());
    return out;
  }

  private ObjectNode attributes() {
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    a.put("type", kind.name().toLowerCase(java.util.Locale.ROOT));
    if (auto == Auto.UUID) {
      a.put("uuid", true);
    } else if (auto != Auto.NONE) {
      a.put("timestamp", true);
    }
    if (auto != Auto.NONE) {
      a.put("auto", true);
    }
    if (required) {
      a.put("required", true);
    }
    if (defaultValue != null) {
      a.set("default", defaultValue.deepCopy());
    }
    if (reference != null) {
      a.put("reference", reference);
    }
    a.setAll(described.deepCopy());
    if (elements != null) {
      ObjectNode e = elements.attributes();
      a.set(kind == Kind.MAP ? "values" : "elements", e);
      if (kind == Kind.MAP) {
        a.putObject("keys").put("type", "string");
      }
    }
    if (kind == Kind.RECORD) {
      ArrayNode list = a.putArray("fields");
      fields.forEach(f -> list.add(f.describe()));
    }
    return a;
  }

  public Kind kind() {
    return kind;
  }

  public List<Field> fields() {
    return fields;
  }

  public Field elements() {
    return elements;
  }

  public String reference() {
    return reference;
  }

  public Auto auto() {
    return auto;
  }

  /**
   * The value a missing field takes on insert: its default, or a record of defaults. A required
   * record is always expanded, even without defaults, so that the entity's checks judge its fields
   * (Kong's handle_missing_field).
   */
  JsonNode defaultFor() {
    if (defaultValue != null) {
      return defaultValue.deepCopy();
    }
    if (kind == Kind.RECORD && !fields.isEmpty() && (required || hasDefaults())) {
      ObjectNode rec = Json.object();
      for (Field f : fields) {
        JsonNode d = f.defaultFor();
        rec.set(f.name, d == null ? Json.NODES.nullNode() : d);
      }
      return rec;
    }
    return null;
  }

  private boolean hasDefaults() {
    for (Field f : fields) {
      if (f.defaultValue != null || (f.kind == Kind.RECORD && f.hasDefaults())) {
        return true;
      }
    }
    return false;
  }

  Field findField(String fieldName) {
    for (Field f : fields) {
      if (f.name.equals(fieldName)) {
        return f;
      }
    }
    return null;
  }
}
