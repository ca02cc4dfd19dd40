package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.FieldErrors;
import dev.fulcrum.model.Json;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.PluginSchemas;
import dev.fulcrum.model.Schema;
import dev.fulcrum.store.DaoException;

/**
 * Kong's {@code /schemas}: each entity's and each plugin's fields as Kong describes them (what
 * Kong Manager builds its forms from), and validation of a body without storing it.
 */
final class SchemaEndpoints {
  void register(Paths paths) {
    paths.on("GET", "/schemas/{entity}", (r, p) -> {
      EntityType type = Entities.byName(p.get("entity"));
      if (type == null) {
        return AdminResponse.message(404, "No entity named '" + p.get("entity") + "'");
      }
      return AdminResponse.json(200, describe(type, type.schema()));
    });
    paths.on("GET", "/schemas/plugins/{name}", (r, p) -> {
      Schema schema = PluginSchemas.schema(p.get("name"));
      if (schema == null) {
        return AdminResponse.message(404, "No plugin named '" + p.get("name") + "'");
      }
      // As Kong: the fields a plugin's own schema sets (its protocols and config), not the entity's.
      ObjectNode all = describe(PluginEntities.PLUGINS, schema);
      com.fasterxml.jackson.databind.node.ArrayNode own = Json.array();
      for (JsonNode f : all.get("fields")) {
        if (f.has("protocols") || f.has("config")) {
          own.add(f);
        }
      }
      all.set("fields", own);
      return AdminResponse.json(200, all);
    });
    // Kong's older form: the config record's fields alone.
    paths.on("GET", "/plugins/schema/{name}", (r, p) -> {
      Schema schema = PluginSchemas.schema(p.get("name"));
      if (schema == null) {
        return AdminResponse.message(404, "No plugin named '" + p.get("name") + "'");
      }
      JsonNode config = schema.field("config").describe().get("config");
      ObjectNode o = Json.object();
      o.set("fields", config.get("fields"));
      return AdminResponse.json(200, o);
    });
    paths.on("POST", "/schemas/{entity}/validate", (r, p) -> {
      EntityType type = Entities.byName(p.get("entity"));
      if (type == null) {
        return AdminResponse.message(404, "No entity named '" + p.get("entity") + "'");
      }
      return validate(type, EntityEndpoints.args(r, type));
    });
    paths.on("POST", "/schemas/plugins/validate",
        (r, p) -> validate(PluginEntities.PLUGINS, EntityEndpoints.args(r, PluginEntities.PLUGINS)));
  }

  /** The schema's fields, with what the entity type adds (unique fields, cascading references). */
  private static ObjectNode describe(EntityType type, Schema schema) {
    ObjectNode out = schema.describe();
    // Kong lists its entity checks here; Fulcrum's are code, so the list stays empty.
    out.putArray("entity_checks");
    for (JsonNode f : out.get("fields")) {
      String name = f.fieldNames().next();
      ObjectNode attrs = (ObjectNode) f.get(name);
      if (type.uniqueFields().contains(name)) {
        attrs.put("unique", true);
      }
      EntityType.ForeignKey fk = type.foreignKeys().stream().filter(k -> k.field().equals(name)).findFirst().orElse(null);
      if (fk != null) {
        attrs.put("on_delete", fk.cascade() ? "cascade" : "restrict");
      }
    }
    return out;
  }

  private static AdminResponse validate(EntityType type, ObjectNode input) {
    type.schema().applyShorthands(input);
    FieldErrors errors = new FieldErrors();
    type.schema().validate(input, errors);
    if (!errors.isEmpty()) {
      throw DaoException.schemaViolation(errors);
    }
    return AdminResponse.message(200, "schema validation successful");
  }
}
