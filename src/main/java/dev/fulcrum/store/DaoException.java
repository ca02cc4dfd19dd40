package dev.fulcrum.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.FieldErrors;
import dev.fulcrum.model.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A refused write or read, carrying Kong's error object ({@code code, name, message, fields}) and
 * the HTTP status the Admin API answers with (kong/db/errors.lua, kong/api/endpoints.lua).
 */
public final class DaoException extends RuntimeException {
  private final int status;
  private final ObjectNode body;

  private DaoException(int status, int code, String name, String message, String detailsKey, JsonNode details) {
    super(message, null, false, false);
    this.status = status;
    this.body = Json.object();
    body.put("code", code);
    body.put("name", name);
    body.put("message", message);
    if (details != null) {
      body.set(detailsKey, details);
    }
  }

  public int status() {
    return status;
  }

  public ObjectNode body() {
    return body;
  }

  public static DaoException schemaViolation(FieldErrors errors) {
    return new DaoException(400, 2, "schema violation", errors.summary(), "fields", errors.toJson());
  }

  /**
   * A key that is not a UUID for an entity only its id addresses (Kong's code 1; its message
   * prints the validation errors of the key, not the key).
   */
  public static DaoException invalidPrimaryKey() {
    ObjectNode errors = Json.object().put("id", "expected a valid UUID");
    return new DaoException(400, 1, "invalid primary key", "invalid primary key: '" + lua(errors) + "'", "fields", errors);
  }

  public static DaoException primaryKeyViolation(String id) {
    ObjectNode pk = Json.object().put("id", id);
    return new DaoException(
        400, 3, "primary key violation", "primary key violation on key '" + lua(pk) + "'", "fields", pk);
  }

  public static DaoException foreignKeyMissing(String field, String parent, ObjectNode key) {
    ObjectNode fields = Json.object();
    fields.set(field, key);
    return new DaoException(
        400,
        4,
        "foreign key violation",
        "the foreign key '" + lua(key) + "' does not reference an existing '" + parent + "' entity.",
        "fields",
        fields);
  }

  public static DaoException referencedBy(String parent, String child) {
    return new DaoException(
        400,
        4,
        "foreign key violation",
        "an existing '" + child + "' entity references this '" + parent + "' entity",
        "fields",
        Json.object().put("@referenced_by", child));
  }

  public static DaoException uniqueViolation(ObjectNode key) {
    return new DaoException(
        409, 5, "unique constraint violation", "UNIQUE violation detected on '" + lua(key) + "'", "fields", key);
  }

  /**
   * A declarative configuration with errors (Kong's code 14): {@code fields} by entity type and
   * position, {@code flattened_errors} one per entity with its field errors.
   */
  public static DaoException invalidDeclarative(ObjectNode fields, JsonNode flattened) {
    DaoException e = new DaoException(400, 14, "invalid declarative configuration",
        "declarative config is invalid: " + Json.write(fields), "fields", fields);
    e.body.set("flattened_errors", flattened);
    return e;
  }

  /** DB-less mode refuses writes through the entity endpoints (Kong's code 12, HTTP 405). */
  public static DaoException operationUnsupported(String operation, String entity) {
    return new DaoException(405, 12, "operation unsupported",
        "cannot " + operation + " '" + entity + "' entities when not using a database", null, null);
  }

  public static DaoException notFound(ObjectNode key) {
    return new DaoException(
        404, 6, "not found", "could not find the entity with primary key '" + lua(key) + "'", "fields", key);
  }

  public static DaoException notFoundByField(String field, String value) {
    ObjectNode key = Json.object().put(field, value);
    return new DaoException(404, 6, "not found", "could not find the entity with '" + lua(key) + "'", "fields", key);
  }

  public static DaoException invalidOffset(String message) {
    return new DaoException(400, 7, "invalid offset", message, null, null);
  }

  public static DaoException databaseError(String message) {
    return new DaoException(500, 8, "database error", message, null, null);
  }

  public static DaoException invalidSize(String message) {
    return new DaoException(400, 9, "invalid size", message, null, null);
  }

  public static DaoException invalidOption(String option, String problem) {
    return new DaoException(
        400,
        11,
        "invalid options",
        "invalid option (" + option + ": " + problem + ")",
        "options",
        Json.object().put(option, problem));
  }

  public static DaoException operationUnsupported(String message) {
    return new DaoException(405, 12, "operation unsupported", message, null, null);
  }

  /** {@code field.key: the foreign key cannot be resolved with '{key="value"}' ...}. */
  public static DaoException foreignKeyUnresolved(String field, String key, String value, String parent) {
    String text =
        "the foreign key cannot be resolved with '{" + key + "=\"" + value + "\"}' for an existing '"
            + parent + "' entity";
    ObjectNode fields = Json.object();
    fields.set(field, Json.object().put(key, text));
    return new DaoException(
        400, 13, "foreign keys unresolved", "foreign key unresolved (" + field + "." + key + ": " + text + ")",
        "fields", fields);
  }

  /** A table printed the way Kong's pl.pretty does in messages: {@code {id="..."}}. */
  static String lua(JsonNode v) {
    if (v == null || v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "\"" + v.asText() + "\"";
    }
    if (!v.isObject()) {
      return v.toString();
    }
    TreeMap<String, JsonNode> sorted = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sorted.put(e.getKey(), e.getValue());
    }
    StringBuilder sb = new StringBuilder("{");
    sorted.forEach(
        (k, val) -> {
          if (sb.length() > 1) {
            sb.append(',');
          }
          sb.append(k).append('=').append(lua(val));
        });
    return sb.append('}').toString();
  }
}
