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

  /** Every protocol a plugin may name (Kong's typedefs.protocol), sorted as Kong sorts them. */
  private static final String[] ALL_PROTOCOLS = {"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"};

  static final Schema IP_RESTRICTION = new Schema(
      PluginEntities.pluginFields(
          record("config",
              array("allow", text("ip").check(Validators.IP_OR_CIDR)),
              array("deny", text("ip").check(Validators.IP_OR_CIDR)),
              number("status"),
              text("message")).required(),
          ALL_PROTOCOLS,
          new String[] {"http", "https", "tcp", "tls", "grpc", "grpcs"}),
      List.of(TrafficPluginSchemas::allowOrDeny),
      List.of());

  /** ip-restriction needs a list to check against: an empty list counts as none. */
  private static void allowOrDeny(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = PluginSchemas.config(plugin);
    if (nonEmpty(c.get("allow")) || nonEmpty(c.get("deny"))) {
      return;
    }
    errors.entity("at least one of these fields must be non-empty: 'config.allow', 'config.deny'");
  }

  private static boolean nonEmpty(JsonNode v) {
    return !Json.isNull(v) && !(v.isContainerNode() && v.isEmpty());
  }

  static final Schema REQUEST_SIZE_LIMITING = new Schema(
      PluginEntities.pluginFields(
          record("config",
              integer("allowed_payload_size").defaults(128),
              string("size_unit").defaults("megabytes").required().oneOf("megabytes", "kilobytes", "bytes"),
              bool("require_content_length").defaults(false).required()).required(),
          PluginSchemas.HTTP_PROTOCOLS),
      List.of(),
      List.of());

  static final Schema CORRELATION_ID = new Schema(
      PluginEntities.pluginFields(
          record("config",
              text("header_name").defaults("Kong-Request-ID"),
              string("generator").defaults("uuid#counter").required().oneOf("uuid", "uuid#counter", "tracker"),
              bool("echo_downstream").defaults(false).required()).required(),
          PluginSchemas.HTTP_PROTOCOLS),
      List.of(),
      List.of());
}
