package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading typed values out of validated entity documents. */
final class Docs {
  private Docs() {}

  static String text(JsonNode doc, String field) {
    return Json.text(doc, field);
  }

  static int integer(JsonNode doc, String field, int fallback) {
    JsonNode v = doc.get(field);
    return Json.isNull(v) ? fallback : v.asInt();
  }

  static double number(JsonNode doc, String field, double fallback) {
    JsonNode v = doc.get(field);
    return Json.isNull(v) ? fallback : v.asDouble();
  }

  static boolean bool(JsonNode doc, String field, boolean fallback) {
    JsonNode v = doc.get(field);
    return Json.isNull(v) ? fallback : v.asBoolean();
  }

  static List<String> strings(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    if (Json.isNull(v) || !v.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(v.size());
    v.forEach(e -> out.add(e.asText()));
    return Collections.unmodifiableList(out);
  }

  static List<Integer> ints(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    if (Json.isNull(v) || !v.isArray()) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>(v.size());
    v.forEach(e -> out.add(e.asInt()));
    return Collections.unmodifiableList(out);
  }

  static Map<String, List<String>> headers(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    if (Json.isNull(v) || !v.isObject()) {
      return Map.of();
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    v.fields().forEachRemaining(e -> out.put(e.getKey(), strings(doc.get(field), e.getKey())));
    return Collections.unmodifiableMap(out);
  }

  static String foreignId(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    return Json.isNull(v) ? null : Json.text(v, "id");
  }

  static JsonNode child(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    return v == null ? Json.NODES.missingNode() : v;
  }
}
