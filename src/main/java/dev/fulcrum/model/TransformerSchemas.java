package dev.fulcrum.model;

import static dev.fulcrum.model.Field.array;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The schemas of Kong 3.x's request-transformer and response-transformer
 * (kong/plugins/{request,response}-transformer/schema.lua): per operation a record of
 * {@code "name:value"} lists, with Kong's messages.
 */
final class TransformerSchemas {
  private TransformerSchemas() {}

  /** Kong's {@code validate_header_name}. */
  private static final Pattern HEADER_NAME = Pattern.compile("[a-zA-Z0-9_-]+");

  /** Kong splits an entry with {@code ^([^:]+):*(.-)$}: the name, then the rest after the colons. */
  private static final Pattern PAIR = Pattern.compile("([^:]+):*(.*)", Pattern.DOTALL);

  /** Kong's {@code match = "^[^:]+:.*$"} on colon-separated entries. */
  private static final Pattern COLON = Pattern.compile("[^:]+:.*", Pattern.DOTALL);

  /** What the Lua sandbox would render; templates are not built, so they are refused, not sent raw. */
  static final String NO_TEMPLATES = "templates ($(...)) are not available in this version";

  static final String NO_BODY = "body transformation is not available in this version";

  private static Field strings(String name, Field.Check check) {
    Field element = string(name);
    if (check != null) {
      element.check(check);
    }
    return array(name, element).defaults(Json.array()).required();
  }

  /** A pair's name (before the first colon), or null when it has none. */
  private static String name(String entry) {
    var m = PAIR.matcher(entry);
    return m.matches() ? m.group(1) : null;
  }

  private static String value(String entry) {
    var m = PAIR.matcher(entry);
    return m.matches() ? m.group(2) : null;
  }

  private static String invalid(String entry) {
    return "invalid value: " + entry;
  }

  /** Kong's {@code validate_headers}: the name must be a header name; with {@code value}, the value too. */
  private static Field.Check header(boolean colon, boolean valueIsName) {
    return v -> {
      String entry = v.asText();
      if (colon && !COLON.matcher(entry).matches()) {
        return invalid(entry);
      }
      String name = name(entry);
      if (name == null || !HEADER_NAME.matcher(name).matches()) {
        return "'" + name + "' is not a valid header";
      }
      String value = value(entry);
      if (valueIsName && !HEADER_NAME.matcher(value).matches()) {
        return "'" + value + "' is not a valid header";
      }
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
        // A header value with a line break would split the request (and Netty refuses it).
        return invalid(entry);
      }
      return templated(value) ? NO_TEMPLATES : null;
    };
  }

  /** request-transformer's {@code check_for_value}: a name, a colon and a non-empty value. */
  private static String keyValue(JsonNode v) {
    String entry = v.asText();
    String name = name(entry);
    if (name == null) {
      return invalid(entry);
    }
    if (value(entry).isEmpty()) {
      return "key '" + name + "' has no value";
    }
    return templated(value(entry)) ? NO_TEMPLATES : null;
  }

  private static String colon(JsonNode v) {
    return COLON.matcher(v.asText()).matches() ? null : invalid(v.asText());
  }

  static boolean templated(String value) {
    return value.contains("$(");
  }

  // ------------------------------------------------------------------ request-transformer

  private static Field requestOp(String op) {
    boolean remove = op.equals("remove");
    Field headers = strings("headers", remove ? header(false, false) : header(true, op.equals("rename")));
    Field.Check pairs = remove ? null : TransformerSchemas::keyValue;
    if (op.equals("replace")) {
      return record(op, strings("body", pairs), headers, strings("querystring", pairs),
          string("uri").check(v -> templated(v.asText()) ? NO_TEMPLATES : null)).required();
    }
    return record(op, strings("body", pairs), headers, strings("querystring", pairs)).required();
  }

  /** Kong's {@code typedefs.protocols}: any protocol allowed, the HTTP ones by default. */
  private static final String[] ALL_PROTOCOLS = {"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"};

  static final Schema REQUEST_TRANSFORMER = new Schema(
      PluginEntities.pluginFields(
          record("config",
              string("http_method").check(v -> v.asText().matches("[A-Z]+") ? null : invalid(v.asText())),
              requestOp("remove"), requestOp("rename"), requestOp("replace"), requestOp("add"),
              requestOp("append")).required(),
          ALL_PROTOCOLS, PluginSchemas.HTTP_PROTOCOLS),
      List.of(noBodyOperations("body")),
      List.of());

  // ------------------------------------------------------------------ response-transformer

  private static Field responseOp(String op) {
    return switch (op) {
      case "remove" -> record(op, strings("json", null), strings("headers", null)).required();
      case "rename" -> record(op, strings("json", TransformerSchemas::colon), strings("headers", header(true, true)))
          .required();
      default -> record(op,
          strings("json", TransformerSchemas::colon),
          array("json_types", string("json_types").oneOf("boolean", "number", "string")).defaults(Json.array()).required(),
          strings("headers", TransformerSchemas::colon)).required();
    };
  }

  static final Schema RESPONSE_TRANSFORMER = new Schema(
      PluginEntities.pluginFields(
          record("config",
              responseOp("remove"), responseOp("rename"), responseOp("replace"), responseOp("add"),
              responseOp("append")).required(),
          PluginSchemas.HTTP_PROTOCOLS),
      List.of(noBodyOperations("json")),
      List.of());

  /**
   * Body operations need the whole body in hand, which this version's pipeline does not give a
   * step: they are refused rather than silently ignored.
   */
  private static Schema.EntityCheck noBodyOperations(String list) {
    return (plugin, errors) -> {
      ObjectNode c = PluginSchemas.config(plugin);
      FieldErrors config = new FieldErrors();
      for (String op : List.of("remove", "rename", "replace", "add", "append")) {
        JsonNode v = c.path(op).get(list);
        if (v != null && v.isArray() && !v.isEmpty()) {
          FieldErrors inner = new FieldErrors();
          inner.field(list, NO_BODY);
          config.nested(op, inner);
        }
      }
      errors.nested("config", config);
    };
  }
}
