package dev.fulcrum.model;

import static dev.fulcrum.model.Field.array;
import static dev.fulcrum.model.Field.bool;
import static dev.fulcrum.model.Field.integer;
import static dev.fulcrum.model.Field.number;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The schemas of the bundled plugins: each one is the plugin entity with that plugin's {@code
 * config} record and checks, with Kong's field names, defaults and messages.
 */
public final class PluginSchemas {
  private PluginSchemas() {}

  /** Kong's {@code protocols_http}: the protocols an HTTP plugin accepts, and its default. */
  static final String[] HTTP_PROTOCOLS = {"grpc", "grpcs", "http", "https"};

  /** The periods of rate-limiting, shortest first. */
  public static final List<String> PERIODS = List.of("second", "minute", "hour", "day", "month", "year");

  private static final Schema KEY_AUTH = new Schema(
      PluginEntities.pluginFields(
          record("config",
              array("key_names", string("key_name").required().check(Validators.HEADER_NAME_CHECK))
                  .defaultStrings("apikey").required(),
              bool("hide_credentials").defaults(false).required(),
              string("anonymous"),
              bool("key_in_header").defaults(true).required(),
              bool("key_in_query").defaults(true).required(),
              bool("key_in_body").defaults(false).required(),
              bool("run_on_preflight").defaults(true).required(),
              string("realm")).required(),
          HTTP_PROTOCOLS),
      List.of(noConsumer()),
      List.of());

  private static final Schema RATE_LIMITING = new Schema(
      PluginEntities.pluginFields(
          record("config",
              positive("second"), positive("minute"), positive("hour"),
              positive("day"), positive("month"), positive("year"),
              string("limit_by").defaults("consumer")
                  .oneOf("consumer", "credential", "ip", "service", "header", "path"),
              string("header_name").check(Validators.HEADER_NAME_CHECK),
              string("path").check(Validators.PATH),
              string("policy").defaults("local").oneOf("local", "cluster", "redis"),
              bool("fault_tolerant").defaults(true).required(),
              record("redis",
                  string("host"),
                  integer("port").defaults(6379).between(0, 65535),
                  integer("timeout").defaults(2000).between(0, (1L << 31) - 2),
                  string("username"),
                  string("password"),
                  integer("database").defaults(0),
                  bool("ssl").defaults(false).required(),
                  bool("ssl_verify").defaults(false).required(),
                  string("server_name")).required(),
              bool("hide_client_headers").defaults(false).required(),
              number("error_code").defaults(429).check(PluginSchemas::greaterThanZero),
              string("error_message").defaults("API rate limit exceeded"),
              number("sync_rate").defaults(-1)).required(),
          HTTP_PROTOCOLS),
      List.of(
          PluginSchemas::someLimit,
          PluginSchemas::periodsOrdered,
          requiredInConfig("limit_by", "header", "header_name"),
          requiredInConfig("limit_by", "path", "path"),
          requiredInConfig("policy", "redis", "redis.host"),
          PluginSchemas::syncRate),
      List.of(PluginSchemas::redisShorthands));

  /** proxy-cache's memory strategy keeps its entries in the node's one cache. */
  public static final String CACHE_DICTIONARY = "kong_db_cache";

  private static final Schema PROXY_CACHE = new Schema(
      PluginEntities.pluginFields(
          record("config",
              array("response_code", integer("code").required().between(100, 900))
                  .defaultInts(200, 301, 404).lenMin(1).required(),
              array("request_method", string("method").required().oneOf("HEAD", "GET", "POST", "PATCH", "PUT"))
                  .defaultStrings("GET", "HEAD").required(),
              array("content_type", string("type").required())
                  .defaultStrings("text/plain", "application/json").required(),
              integer("cache_ttl").defaults(300).check(PluginSchemas::greaterThanZero),
              string("strategy").required().oneOf("memory"),
              bool("cache_control").defaults(false).required(),
              bool("ignore_uri_case").defaults(false),
              integer("storage_ttl"),
              record("memory", string("dictionary_name").defaults(CACHE_DICTIONARY).required()).required(),
              array("vary_query_params", string("param").required()),
              array("vary_headers", string("header").required()),
              record("response_headers",
                  bool("age").defaults(true).required(),
                  bool("X-Cache-Status").defaults(true).required(),
                  bool("X-Cache-Key").defaults(true).required()).required()).required(),
          HTTP_PROTOCOLS),
      List.of(PluginSchemas::sharedDictionary),
      List.of());

  private static final Schema BASIC_AUTH = new Schema(
      PluginEntities.pluginFields(
          record("config",
              string("anonymous"),
              bool("hide_credentials").defaults(false).required(),
              string("realm").defaults("service").required()).required(),
          HTTP_PROTOCOLS),
      List.of(noConsumer()),
      List.of());

  private static final Schema ACL = new Schema(
      PluginEntities.pluginFields(
          record("config",
              array("allow", string("group").required()),
              array("deny", string("group").required()),
              bool("hide_groups_header").defaults(false).required(),
              bool("always_use_authenticated_groups").defaults(false).required()).required(),
          HTTP_PROTOCOLS),
      List.of(noConsumer(), PluginSchemas::allowOrDeny),
      List.of());

  private static final Map<String, Schema> BY_NAME = Map.ofEntries(
      Map.entry("key-auth", KEY_AUTH),
      Map.entry("rate-limiting", RATE_LIMITING),
      Map.entry("proxy-cache", PROXY_CACHE),
      Map.entry("basic-auth", BASIC_AUTH),
      Map.entry("acl", ACL),
      Map.entry("cors", TrafficPluginSchemas.CORS),
      Map.entry("correlation-id", TrafficPluginSchemas.CORRELATION_ID),
      Map.entry("ip-restriction", TrafficPluginSchemas.IP_RESTRICTION),
      Map.entry("request-size-limiting", TrafficPluginSchemas.REQUEST_SIZE_LIMITING),
      Map.entry("request-termination", TrafficPluginSchemas.REQUEST_TERMINATION),
      Map.entry("request-transformer", TransformerSchemas.REQUEST_TRANSFORMER),
      Map.entry("response-transformer", TransformerSchemas.RESPONSE_TRANSFORMER));

  /** The schema of a bundled plugin, or null. */
  public static Schema schema(String name) {
    return BY_NAME.get(name);
  }

  /** The bundled plugins' names, sorted. */
  public static Set<String> names() {
    return new TreeSet<>(BY_NAME.keySet());
  }

  private static Field positive(String name) {
    return number(name).check(PluginSchemas::greaterThanZero);
  }

  private static String greaterThanZero(JsonNode v) {
    return v.asDouble() > 0 ? null : "value must be greater than 0";
  }

  /** Kong's {@code typedefs.no_consumer}: the plugin cannot be scoped to a consumer. */
  static Schema.EntityCheck noConsumer() {
    return (e, errors) -> {
      if (!Json.isNull(e.get("consumer"))) {
        errors.field("consumer", "value must be null");
      }
    };
  }

  static ObjectNode config(ObjectNode plugin) {
    JsonNode c = plugin.get("config");
    return c instanceof ObjectNode o ? o : Json.object();
  }

  private static void sharedDictionary(ObjectNode plugin, FieldErrors errors) {
    String name = Json.text(config(plugin).path("memory"), "dictionary_name");
    if (name != null && !name.equals(CACHE_DICTIONARY)) {
      errors.entity("missing shared dict '" + name + "'");
    }
  }

  private static void someLimit(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = config(plugin);
    for (String p : PERIODS) {
      if (!Json.isNull(c.get(p))) {
        return;
      }
    }
    errors.entity("at least one of these fields must be non-empty: "
        + String.join(", ", PERIODS.stream().map(p -> "'config." + p + "'").toList()));
  }

  /**
   * The acl plugin's entity checks, in Kong's order: exactly one of allow and deny (only_one_of),
   * and at least one (at_least_one_of); an empty list counts as none.
   */
  private static void allowOrDeny(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = config(plugin);
    boolean allow = Checks.present(c, "allow");
    boolean deny = Checks.present(c, "deny");
    if (allow == deny) {
      errors.entity("exactly one of these fields must be non-empty: 'config.allow', 'config.deny'");
    }
    if (!allow && !deny) {
      errors.entity("at least one of these fields must be non-empty: 'config.allow', 'config.deny'");
    }
  }

  /** A longer period may not allow fewer requests than a shorter one. */
  private static void periodsOrdered(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = config(plugin);
    String lastPeriod = null;
    double last = 0;
    for (String p : PERIODS) {
      JsonNode v = c.get(p);
      if (Json.isNull(v)) {
        continue;
      }
      if (lastPeriod != null && v.asDouble() < last) {
        errors.entity("The limit for " + p + "(" + v.asDouble() + ") cannot be lower than the limit for "
            + lastPeriod + "(" + last + ")");
        return;
      }
      lastPeriod = p;
      last = v.asDouble();
    }
  }

  /** {@code config.then} (a dotted path) is required when {@code config.field} is {@code value}. */
  private static Schema.EntityCheck requiredInConfig(String field, String value, String then) {
    return (plugin, errors) -> {
      ObjectNode c = config(plugin);
      if (!value.equals(Json.text(c, field))) {
        return;
      }
      JsonNode v = c;
      for (String part : then.split("\\.")) {
        v = v == null ? null : v.get(part);
      }
      if (Json.isNull(v)) {
        errors.entity("failed conditional validation given value of field 'config." + field + "'");
        FieldErrors inner = new FieldErrors();
        inner.field(then, "required field missing");
        errors.nested("config", inner);
      }
    };
  }

  private static void syncRate(ObjectNode plugin, FieldErrors errors) {
    ObjectNode c = config(plugin);
    JsonNode rate = c.get("sync_rate");
    if (Json.isNull(rate) || rate.asDouble() == -1) {
      return;
    }
    if (!"redis".equals(Json.text(c, "policy"))) {
      errors.entity("sync_rate can only be used with the redis policy");
    } else if (rate.asDouble() < 0.02) {
      errors.entity("sync_rate must be greater than 0.02, or -1 to disable");
    } else {
      // Kong's batching of increments between syncs is not built: say so rather than ignore it.
      errors.entity("sync_rate batching is not available in this version: use -1");
    }
  }

  /** Kong 3.x's deprecated {@code redis_host} and friends, moved into {@code config.redis}. */
  private static void redisShorthands(ObjectNode plugin) {
    JsonNode c = plugin.get("config");
    if (!(c instanceof ObjectNode config)) {
      return;
    }
    List<String> names = new ArrayList<>();
    config.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      if (!name.startsWith("redis_")) {
        continue;
      }
      JsonNode redis = config.get("redis");
      ObjectNode r = redis instanceof ObjectNode o ? o : config.putObject("redis");
      r.set(name.substring("redis_".length()), config.remove(name));
    }
  }
}
