package dev.fulcrum.model;

import static dev.fulcrum.model.Field.array;
import static dev.fulcrum.model.Field.bool;
import static dev.fulcrum.model.Field.integer;
import static dev.fulcrum.model.Field.number;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The schemas of the bundled plugins that gate or mark traffic without credentials, with Kong
 * 3.x's fields, defaults and messages (kong/plugins/NAME/schema.lua).
 */
final class TrafficPluginSchemas {
  private TrafficPluginSchemas() {}

  /** A string field: Kong refuses an empty string unless a field allows it (len_min 1). */
  private static Field text(String name) {
    return string(name).lenMin(1);
  }

  static final Schema REQUEST_TERMINATION = new Schema(
      PluginEntities.pluginFields(
          record("config",
              integer("status_code").defaults(503).required().between(100, 599),
              text("message"),
              text("content_type"),
              text("body"),
              bool("echo").defaults(false).required(),
              text("trigger").check(Validators.HEADER_NAME_CHECK)).required(),
          PluginSchemas.HTTP_PROTOCOLS),
      List.of(TrafficPluginSchemas::terminationConfig),
      List.of());

  /** request-termination's checks across its config, reported on {@code config} as Kong does. */
  private static void terminationConfig(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = PluginSchemas.config(plugin);
    boolean message = present(c, "message");
    boolean contentType = present(c, "content_type");
    boolean body = present(c, "body");
    String error = null;
    if (message && (contentType || body)) {
      error = "message cannot be used with content_type or body";
    } else if (contentType && !body) {
      error = "content_type requires a body";
    } else if (c.path("echo").asBoolean(false) && (contentType || body)) {
      error = "echo cannot be used with content_type and body";
    }
    if (error != null) {
      errors.field("config", error);
    }
  }

  private static boolean present(ObjectNode c, String field) {
    JsonNode v = c.get(field);
    return v != null && v.isTextual() && !v.asText().isEmpty();
  }

  /** The methods cors allows by default, in Kong's order (also its one_of message). */
  private static final String[] CORS_METHODS = {"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"};

  static final Schema CORS = new Schema(
      PluginEntities.pluginFields(
          record("config",
              array("origins", text("origin").check(TrafficPluginSchemas::asteriskOrRegex)),
              array("headers", text("header")),
              array("exposed_headers", text("header")),
              array("methods", text("method").oneOf(CORS_METHODS)).defaultStrings(CORS_METHODS),
              number("max_age"),
              bool("credentials").defaults(false).required(),
              bool("private_network").defaults(false).required(),
              bool("preflight_continue").defaults(false).required(),
              bool("allow_origin_absent").defaults(true).required()).required(),
          PluginSchemas.HTTP_PROTOCOLS),
      List.of(PluginSchemas.noConsumer()),
      List.of());

  /** A cors origin: {@code *}, a plain origin or a regex; either way it must compile. */
  private static String asteriskOrRegex(JsonNode v) {
    String origin = v.asText();
    if (origin.equals("*")) {
      return null;
    }
    try {
      Pattern.compile(origin);
      return null;
    } catch (PatternSyntaxException e) {
      return "'" + origin + "' is not a valid regex";
    }
  }
}
