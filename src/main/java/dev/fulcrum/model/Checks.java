package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Entity checks with Kong's error placement and wording (kong/db/schema/init.lua). */
final class Checks {
  private Checks() {}

  static boolean present(ObjectNode e, String field) {
    JsonNode v = e.get(field);
    return !Json.isNull(v) && !(v.isContainerNode() && v.isEmpty());
  }

  private static String conditionalMessage(String ifField) {
    return "failed conditional validation given value of field '" + ifField + "'";
  }

  /** When {@code ifField} satisfies {@code when}, {@code thenField} must be null. */
  static Schema.EntityCheck mustBeNull(String ifField, Predicate<JsonNode> when, String thenField) {
    return mustBeNull(ifField, when, thenField, "value must be null");
  }

  static Schema.EntityCheck mustBeNull(
      String ifField, Predicate<JsonNode> when, String thenField, String message) {
    return (e, errors) -> {
      if (errors.has(ifField) || !when.test(e.get(ifField))) {
        return;
      }
      if (present(e, thenField)) {
        errors.entity(conditionalMessage(ifField));
        errors.field(thenField, message);
      }
    };
  }

  /** When {@code ifField} equals {@code value}, {@code thenField} is required. */
  static Schema.EntityCheck requiredWhen(String ifField, String value, String thenField) {
    return (e, errors) -> {
      if (value.equals(Json.text(e, ifField)) && Json.isNull(e.get(thenField))) {
        errors.entity(conditionalMessage(ifField));
        errors.field(thenField, "required field missing");
      }
    };
  }

  /** When {@code ifField} equals {@code value}, {@code thenField} must be one of {@code allowed}. */
  static Schema.EntityCheck oneOfWhen(String ifField, String value, String thenField, String... allowed) {
    List<String> list = Arrays.asList(allowed);
    return (e, errors) -> {
      String then = Json.text(e, thenField);
      if (value.equals(Json.text(e, ifField)) && then != null && !list.contains(then)) {
        errors.entity(conditionalMessage(ifField));
        errors.field(thenField, "expected one of: " + String.join(", ", allowed));
      }
    };
  }

  static Schema.EntityCheck distinct(String a, String b) {
    return (e, errors) -> {
      String va = Json.text(e, a);
      if (va != null && va.equals(Json.text(e, b))) {
        errors.entity("values of these fields must be distinct: '" + a + "', '" + b + "'");
      }
    };
  }

  static Schema.EntityCheck atLeastOneOf(
      Predicate<ObjectNode> when, String message, String... fields) {
    String list = Arrays.stream(fields).map(f -> "'" + f + "'").collect(Collectors.joining(", "));
    return (e, errors) -> {
      if (!when.test(e)) {
        return;
      }
      for (String f : fields) {
        if (present(e, f)) {
          return;
        }
      }
      errors.entity(String.format(message, list));
    };
  }

  static Predicate<JsonNode> textIn(String... values) {
    List<String> list = Arrays.asList(values);
    return v -> v != null && v.isTextual() && list.contains(v.asText());
  }

  static Predicate<JsonNode> textNotIn(String... values) {
    return textIn(values).negate();
  }

  /** True when an array field contains any of {@code values}. */
  static boolean contains(ObjectNode e, String field, String... values) {
    JsonNode arr = e.get(field);
    if (arr == null || !arr.isArray()) {
      return false;
    }
    for (JsonNode v : arr) {
      for (String want : values) {
        if (want.equals(v.asText())) {
          return true;
        }
      }
    }
    return false;
  }
}
