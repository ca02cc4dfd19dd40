package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validation errors as a tree shaped like Kong's {@code fields}: a field maps to its message, a
 * record to a nested object, an array to an array holding messages at the failing positions, and
 * entity-level checks collect under {@code "@entity"}.
 */
public final class FieldErrors {
  public static final String ENTITY = "@entity";

  private final ObjectNode root = Json.object();

  public boolean isEmpty() {
    return root.isEmpty();
  }

  public boolean has(String field) {
    return root.has(field);
  }

  public void field(String field, String message) {
    if (!root.has(field)) {
      root.put(field, message);
    }
  }

  public void entity(String message) {
    JsonNode list = root.get(ENTITY);
    if (list == null) {
      list = root.putArray(ENTITY);
    }
    ((ArrayNode) list).add(message);
  }

  /** Errors of a record field, nested under its name. */
  public void nested(String field, FieldErrors inner) {
    if (!inner.isEmpty()) {
      root.set(field, inner.root);
    }
  }

  /** Errors of array elements: a message at each failing index, JSON null elsewhere. */
  public void elements(String field, Map<Integer, JsonNode> byIndex) {
    if (byIndex.isEmpty()) {
      return;
    }
    int max = byIndex.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    ArrayNode arr = Json.array();
    for (int i = 0; i <= max; i++) {
      JsonNode v = byIndex.get(i);
      if (v == null) {
        arr.addNull();
      } else {
        arr.add(v);
      }
    }
    root.set(field, arr);
  }

  public ObjectNode toJson() {
    return root;
  }

  /**
   * Kong's one-line summary: entity checks first, then fields sorted by name, one level of
   * nesting spelled {@code a.b: message} (arrays use 1-based positions, as Lua does).
   */
  public List<String> flatten() {
    List<String> out = new ArrayList<>();
    JsonNode entity = root.get(ENTITY);
    if (entity != null) {
      entity.forEach(m -> out.add(m.asText()));
    }
    TreeMap<String, JsonNode> sorted = new TreeMap<>();
    root.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
    for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (name.equals(ENTITY)) {
        continue;
      }
      if (v.isTextual()) {
        out.add(name + ": " + v.asText());
      } else if (v.isArray()) {
        for (int i = 0; i < v.size(); i++) {
          if (!v.get(i).isNull()) {
            out.add(name + "." + (i + 1) + ": " + render(v.get(i)));
          }
        }
      } else if (v.isObject()) {
        TreeMap<String, JsonNode> inner = new TreeMap<>();
        v.fields().forEachRemaining(f -> inner.put(f.getKey(), f.getValue()));
        inner.forEach((k, iv) -> out.add(name + "." + k + ": " + render(iv)));
      }
    }
    return out;
  }

  public String summary() {
    List<String> parts = flatten();
    if (parts.size() == 1) {
      return "schema violation (" + parts.get(0) + ")";
    }
    return parts.size() + " schema violations (" + String.join("; ", parts) + ")";
  }

  /** Deeper nesting is printed as a compact table, like Kong's pretty printer. */
  private static String render(JsonNode v) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isArray()) {
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < v.size(); i++) {
        if (!v.get(i).isNull()) {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append('[').append(i + 1).append("]=").append(quoted(v.get(i)));
        }
      }
      return sb.append('}').toString();
    }
    StringBuilder sb = new StringBuilder("{");
    TreeMap<String, JsonNode> inner = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      inner.put(f.getKey(), f.getValue());
    }
    inner.forEach(
        (k, iv) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append(k).append('=').append(quoted(iv));
        });
    return sb.append('}').toString();
  }

  private static String quoted(JsonNode v) {
    return v.isTextual() ? "\"" + v.asText() + "\"" : render(v);
  }
}
