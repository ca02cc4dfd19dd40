package dev.fulcrum.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How an entity maps onto its table: the whole document in {@code doc}, plus the columns the
 * database must index or keep unique (unique fields, foreign keys, composite keys).
 */
final class Tables {
  private Tables() {}

  /** The indexed columns of a table besides id, created_at and doc, in a fixed order. */
  static List<String> columns(EntityType type) {
    Set<String> cols = new LinkedHashSet<>(type.uniqueFields());
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      cols.add(column(type, fk.field()));
    }
    for (String f : type.compositeUnique()) {
      cols.add(column(type, f));
    }
    return new ArrayList<>(cols);
  }

  /** A foreign field {@code service} is stored as column {@code service_id}. */
  static String column(EntityType type, String field) {
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      if (fk.field().equals(field)) {
        return field + "_id";
      }
    }
    return field;
  }

  /**
   * A column's name as a statement spells it: quoted, as some are reserved words (an acl's
   * {@code group}); both databases read a quoted lower-case name as the plain one.
   */
  static String quote(String column) {
    return "\"" + column + "\"";
  }

  /** The value of a column, read from the document. */
  static String value(EntityType type, ObjectNode doc, String column) {
    if (column.endsWith("_id")) {
      String field = column.substring(0, column.length() - 3);
      if (type.foreignKeyTo(parentOf(type, field)) != null) {
        JsonNode ref = doc.get(field);
        return Json.isNull(ref) ? null : Json.text(ref, "id");
      }
    }
    return Json.text(doc, column);
  }

  private static String parentOf(EntityType type, String field) {
    for (EntityType.ForeignKey fk : type.foreignKeys()) {
      if (fk.field().equals(field)) {
        return fk.parent();
      }
    }
    return "";
  }

  static double createdAt(ObjectNode doc) {
    JsonNode v = doc.get("created_at");
    return v == null || v.isNull() ? 0 : v.asDouble();
  }
}
