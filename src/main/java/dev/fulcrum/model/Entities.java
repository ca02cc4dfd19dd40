package dev.fulcrum.model;

import static dev.fulcrum.model.Field.array;
import static dev.fulcrum.model.Field.bool;
import static dev.fulcrum.model.Field.foreign;
import static dev.fulcrum.model.Field.integer;
import static dev.fulcrum.model.Field.map;
import static dev.fulcrum.model.Field.number;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.set;
import static dev.fulcrum.model.Field.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The schemas of Kong's core entities, with Kong 3.x defaults and checks. */
public final class Entities {
  private Entities() {}

  static final String[] PROTOCOLS = {
    "grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"
  };
  private static final long MAX_TIMEOUT = (1L << 31) - 2;

  private static Field tags() {
    return set("tags", string("tag").required().check(Validators.TAG));
  }

  private static Field utf8Name() {
    return string("name").check(Validators.UTF8_NAME);
  }

  private static Field timeout(String name) {
    return integer(name).defaults(60000).between(1, MAX_TIMEOUT);
  }

  private static Field path(String name) {
    return string(name).check(Validators.PATH);
  }

  private static Field headersMap(String name) {
    return map(name, array("values", string("value")))
        .check(
            v -> {
              for (var it = v.fieldNames(); it.hasNext(); ) {
                String message = Validators.HEADER_NAME_CHECK.apply(Json.NODES.textNode(it.next()));
                if (message != null) {
                  return message;
                }
              }
              return null;
            });
  }

  // ---------------------------------------------------------------- services

  public static final EntityType SERVICES =
      new EntityType(
          "services",
          "name",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at"),
                  utf8Name(),
                  integer("retries").defaults(5).between(0, 32767),
                  string("protocol").required().defaults("http").oneOf(PROTOCOLS),
                  string("host").required().check(Validators.HOST),
                  integer("port").required().defaults(80).between(0, 65535),
                  path("path"),
                  timeout("connect_timeout"),
                  timeout("write_timeout"),
                  timeout("read_timeout"),
                  tags(),
                  foreign("client_certificate", "certificates"),
                  bool("tls_verify"),
                  integer("tls_verify_depth").between(0, 64),
                  // Until the ca_certificates entities exist, trust comes from lua_ssl_trusted_certificate;
                  // a list that would be ignored is refused rather than accepted in silence.
                  array("ca_certificates", Field.uuid("ca_certificate"))
                      .check(v -> v.isArray() && v.size() > 0
                          ? "ca_certificates are not supported yet: trust CAs with the lua_ssl_trusted_certificate setting"
                          : null),
                  bool("enabled").required().defaults(true)),
              List.of(
                  Checks.mustBeNull("protocol", Checks.textIn("tcp", "tls", "udp", "grpc", "grpcs"), "path"),
                  Checks.mustBeNull("protocol", Checks.textNotIn("https", "tls"), "client_certificate"),
                  Checks.mustBeNull("protocol", Checks.textNotIn("https", "tls"), "tls_verify"),
                  Checks.mustBeNull("protocol", Checks.textNotIn("https", "tls"), "tls_verify_depth"),
                  Checks.mustBeNull("protocol", Checks.textNotIn("https", "tls"), "ca_certificates")),
              List.of(Entities::urlShorthand)),
          List.of("name"),
          List.of(),
          List.of());

  private static final Pattern URL =
      Pattern.compile("^(?:([a-zA-Z][a-zA-Z0-9+.\\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\\?([^#]*))?(?:#.*)?$");

  /**
   * The write-only {@code url} field sets protocol, host, port and path together, as LuaSocket's
   * url.parse reads it: no scheme means http (https for port 443); no port means the scheme's.
   */
  static void urlShorthand(ObjectNode input) {
    JsonNode url = input.remove("url");
    if (url == null || url.isNull()) {
      return;
    }
    Matcher m = URL.matcher(url.asText());
    if (!m.matches()) {
      return;
    }
    String scheme = m.group(1);
    String authority = m.group(2);
    String host = null;
    String port = null;
    if (authority != null && !authority.isEmpty()) {
      int at = authority.lastIndexOf('@');
      String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
      Matcher hp = Pattern.compile("^(\\[[^\\]]*\\]|[^:]*)(?::(.*))?$").matcher(hostPort);
      if (hp.matches()) {
        host = hp.group(1).isEmpty() ? null : hp.group(1);
        port = hp.group(2);
      }
    }
    Integer portNumber = null;
    if (port != null && port.matches("\\d{1,9}")) {
      portNumber = Integer.parseInt(port);
    }
    String protocol = scheme;
    if (protocol == null) {
      protocol = portNumber != null && portNumber == 443 ? "https" : "http";
    }
    input.put("protocol", protocol.toLowerCase());
    if (host == null) {
      input.putNull("host");
    } else {
      input.put("host", host);
    }
    if (portNumber != null) {
      input.put("port", portNumber);
    } else if (port != null && !port.isEmpty()) {
      input.put("port", port);
    } else {
      input.put("port", protocol.equalsIgnoreCase("https") ? 443 : 80);
    }
    String path = m.group(3);
    if (path == null || path.isEmpty()) {
      input.putNull("path");
    } else {
      input.put("path", path);
    }
  }

  // ------------------------------------------------------------------ routes

  private static Field sourcesField(String name) {
    return set(
        name,
        record(
                "endpoint",
                string("ip").check(Validators.IP_OR_CIDR),
                integer("port").between(0, 65535))
            .check(
                v ->
                    Json.isNull(v.get("ip")) && Json.isNull(v.get("port"))
                        ? "at least one of these fields must be non-empty: 'ip', 'port'"
                        : null));
  }

  private static boolean isHttpRoute(ObjectNode e) {
    return Checks.contains(e, "protocols", "http", "https");
  }

  private static boolean isStreamRoute(ObjectNode e) {
    return Checks.contains(e, "protocols", "tcp", "tls", "udp", "tls_passthrough");
  }

  private static boolean isGrpcRoute(ObjectNode e) {
    return Checks.contains(e, "protocols", "grpc", "grpcs");
  }

  private static final List<List<String>> PROTOCOL_GROUPS =
      List.of(
          List.of("http", "https"),
          List.of("tcp", "tls", "udp"),
          List.of("tls_passthrough"),
          List.of("grpc", "grpcs"));

  private static void protocolsExclusive(ObjectNode e, FieldErrors errors) {
    JsonNode protocols = e.get("protocols");
    if (protocols == null || !protocols.isArray()) {
      return;
    }
    int groups = 0;
    for (List<String> group : PROTOCOL_GROUPS) {
      for (JsonNode p : protocols) {
        if (group.contains(p.asText())) {
          groups++;
          break;
        }
      }
    }
    if (groups > 1) {
      errors.entity(
          "these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'),"
              + " ('tls_passthrough'), ('grpc', 'grpcs')");
    }
  }

  private static Schema.EntityCheck notWith(
      java.util.function.Predicate<ObjectNode> when, String field, String message) {
    return (e, errors) -> {
      if (when.test(e) && Checks.present(e, field)) {
        errors.field(field, message);
      }
    };
  }

  private static void noHostHeader(ObjectNode e, FieldErrors errors) {
    JsonNode headers = e.get("headers");
    if (headers != null && headers.isObject()) {
      for (var it = headers.fieldNames(); it.hasNext(); ) {
        if (it.next().equalsIgnoreCase("host")) {
          errors.field(
              "headers",
              "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
        }
      }
    }
  }

  private static final String HTTP_ONLY = "'http' or 'https'";
  private static final String STREAM_ONLY = "'tcp', 'tls', 'tls_passthrough' or 'udp'";
  private static final String GRPC_ONLY = "'grpc' or 'grpcs'";

  public static final EntityType ROUTES =
      new EntityType(
          "routes",
          "name",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at"),
                  utf8Name(),
                  set("protocols", string("protocol").oneOf(PROTOCOLS))
                      .required()
                      .defaultStrings("http", "https")
                      .lenMin(1),
                  set("methods", string("method").check(Validators.METHOD_NAME)),
                  array("hosts", string("host").check(Validators.ROUTE_HOST)),
                  array("paths", string("path").check(Validators.ROUTER_PATH)),
                  headersMap("headers"),
                  integer("https_redirect_status_code").required().defaults(426).oneOfInts(426, 301, 302, 307, 308),
                  integer("regex_priority").defaults(0),
                  bool("strip_path").required().defaults(true),
                  string("path_handling").defaults("v0").oneOf("v0", "v1"),
                  bool("preserve_host").required().defaults(false),
                  bool("request_buffering").required().defaults(true),
                  bool("response_buffering").required().defaults(true),
                  tags(),
                  foreign("service", "services"),
                  set("snis", string("sni").check(Validators.ROUTE_HOST)),
                  sourcesField("sources"),
                  sourcesField("destinations")),
              List.of(
                  Entities::protocolsExclusive,
                  (e, errors) -> {
                    if (Checks.present(e, "snis")
                        && !Checks.contains(e, "protocols", "grpcs", "https", "tls", "tls_passthrough")) {
                      errors.entity("failed conditional validation given value of field 'protocols'");
                      errors.field(
                          "snis",
                          "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'");
                    }
                  },
                  notWith(Entities::isHttpRoute, "sources", "cannot set 'sources' when 'protocols' is " + HTTP_ONLY),
                  notWith(Entities::isHttpRoute, "destinations", "cannot set 'destinations' when 'protocols' is " + HTTP_ONLY),
                  notWith(Entities::isStreamRoute, "methods", "cannot set 'methods' when 'protocols' is " + STREAM_ONLY),
                  notWith(Entities::isStreamRoute, "hosts", "cannot set 'hosts' when 'protocols' is " + STREAM_ONLY),
                  notWith(Entities::isStreamRoute, "paths", "cannot set 'paths' when 'protocols' is " + STREAM_ONLY),
                  notWith(Entities::isStreamRoute, "headers", "cannot set 'headers' when 'protocols' is " + STREAM_ONLY),
                  notWith(Entities::isGrpcRoute, "methods", "cannot set 'methods' when 'protocols' is " + GRPC_ONLY),
                  notWith(Entities::isGrpcRoute, "sources", "cannot set 'sources' when 'protocols' is " + GRPC_ONLY),
                  notWith(Entities::isGrpcRoute, "destinations", "cannot set 'destinations' when 'protocols' is " + GRPC_ONLY),
                  Entities::noHostHeader,
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "https"),
                      "must set one of %s when 'protocols' is 'https'",
                      "methods", "hosts", "headers", "paths", "snis"),
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "http") && !Checks.contains(e, "protocols", "https"),
                      "must set one of %s when 'protocols' is 'http'",
                      "methods", "hosts", "headers", "paths"),
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "tcp", "tls", "udp"),
                      "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'",
                      "sources", "destinations", "snis"),
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "tls_passthrough"),
                      "must set snis when 'protocols' is 'tls_passthrough'",
                      "snis"),
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "grpcs"),
                      "must set one of %s when 'protocols' is 'grpcs'",
                      "hosts", "headers", "paths", "snis"),
                  Checks.atLeastOneOf(
                      e -> Checks.contains(e, "protocols", "grpc") && !Checks.contains(e, "protocols", "grpcs"),
                      "must set one of %s when 'protocols' is 'grpc'",
                      "hosts", "headers", "paths"),
                  (e, errors) -> {
                    if (isGrpcRoute(e) && e.path("strip_path").asBoolean(false)) {
                      errors.field("strip_path", "cannot set 'strip_path' when 'protocols' is " + GRPC_ONLY);
                    }
                  }),
              List.of(Entities::grpcStripPath)),
          List.of("name"),
          List.of(),
          List.of(new EntityType.ForeignKey("service", "services", false)));

  /** A gRPC route's strip_path defaults to false (Kong's grpc route subschema). */
  private static void grpcStripPath(ObjectNode input) {
    if (!input.has("strip_path") && isGrpcRoute(input)) {
      input.put("strip_path", false);
    }
  }

  // --------------------------------------------------------------- upstreams

  private static final String[] HASH_SOURCES = {
    "none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"
  };

  private static Field seconds(String name, double def) {
    return number(name).defaults(def).between(0, 65535);
  }

  private static Field counter(String name) {
    return integer(name).defaults(0).between(0, 255);
  }

  private static Field statuses(String name, int... defaults) {
    return array(name, integer("status").between(100, 999)).defaultInts(defaults);
  }

  static Field healthchecks() {
    return record(
        "healthchecks",
        record(
            "active",
            string("type").defaults("http").oneOf("tcp", "http", "https", "grpc", "grpcs"),
            seconds("timeout", 1),
            integer("concurrency").defaults(10).between(1, 1L << 31),
            path("http_path").defaults("/"),
            string("https_sni").check(Validators.HOST),
            bool("https_verify_certificate").required().defaults(true),
            headersMap("headers"),
            record(
                "healthy",
                seconds("interval", 0),
                statuses("http_statuses", 200, 302),
                counter("successes")),
            record(
                "unhealthy",
                seconds("interval", 0),
                statuses("http_statuses", 429, 404, 500, 501, 502, 503, 504, 505),
                counter("tcp_failures"),
                counter("timeouts"),
                counter("http_failures"))),
        record(
            "passive",
            string("type").defaults("http").oneOf("tcp", "http", "https", "grpc", "grpcs"),
            record(
                "healthy",
                statuses(
                    "http_statuses", 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302,
                    303, 304, 305, 306, 307, 308),
                counter("successes")),
            record(
                "unhealthy",
                statuses("http_statuses", 429, 500, 503),
                counter("tcp_failures"),
                counter("timeouts"),
                counter("http_failures"))),
        number("threshold").defaults(0).between(0, 100));
  }

  /**
   * Kong's compatibility rules between algorithm and hash_on: least-connections and latency clear
   * hash_on; an explicit hash_on of none means round-robin, any other means consistent-hashing.
   */
  static void algorithmShorthand(ObjectNode input) {
    JsonNode algorithm = input.get("algorithm");
    if (algorithm != null
        && (algorithm.asText().equals("least-connections") || algorithm.asText().equals("latency"))) {
      input.putNull("hash_on");
    }
    if (input.has("hash_on")) {
      JsonNode hashOn = input.get("hash_on");
      if (hashOn.isNull()) {
        input.put("hash_on", "none");
      } else if (hashOn.asText().equals("none")) {
        input.put("algorithm", "round-robin");
      } else if (hashOn.isTextual()) {
        input.put("algorithm", "consistent-hashing");
      }
    }
  }

  public static final EntityType UPSTREAMS =
      new EntityType(
          "upstreams",
          "name",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at"),
                  string("name").required().check(Validators.UPSTREAM_NAME),
                  string("algorithm")
                      .defaults("round-robin")
                      .oneOf("consistent-hashing", "least-connections", "round-robin", "latency"),
                  string("hash_on").defaults("none").oneOf(HASH_SOURCES),
                  string("hash_fallback").defaults("none").oneOf(HASH_SOURCES),
                  string("hash_on_header").check(Validators.HEADER_NAME_CHECK),
                  string("hash_fallback_header").check(Validators.HEADER_NAME_CHECK),
                  string("hash_on_cookie").check(Validators.COOKIE_NAME),
                  path("hash_on_cookie_path").defaults("/"),
                  string("hash_on_query_arg").lenMin(1),
                  string("hash_fallback_query_arg").lenMin(1),
                  string("hash_on_uri_capture").lenMin(1),
                  string("hash_fallback_uri_capture").lenMin(1),
                  integer("slots").defaults(10000).between(10, 65536),
                  healthchecks(),
                  tags(),
                  string("host_header").check(Validators.HOST_WITH_OPTIONAL_PORT),
                  foreign("client_certificate", "certificates"),
                  bool("use_srv_name").defaults(false)),
              List.of(
                  Checks.requiredWhen("hash_on", "header", "hash_on_header"),
                  Checks.requiredWhen("hash_fallback", "header", "hash_fallback_header"),
                  Checks.requiredWhen("hash_on", "cookie", "hash_on_cookie"),
                  Checks.requiredWhen("hash_fallback", "cookie", "hash_on_cookie"),
                  Checks.oneOfWhen("hash_on", "none", "hash_fallback", "none"),
                  Checks.oneOfWhen("hash_on", "cookie", "hash_fallback", "none"),
                  Checks.oneOfWhen("hash_on", "consumer", "hash_fallback",
                      "none", "ip", "header", "cookie", "path", "query_arg", "uri_capture"),
                  Checks.oneOfWhen("hash_on", "ip", "hash_fallback",
                      "none", "consumer", "header", "cookie", "path", "query_arg", "uri_capture"),
                  Checks.oneOfWhen("hash_on", "path", "hash_fallback",
                      "none", "consumer", "header", "cookie", "query_arg", "ip", "uri_capture"),
                  Checks.distinct("hash_on_header", "hash_fallback_header"),
                  Checks.requiredWhen("hash_on", "query_arg", "hash_on_query_arg"),
                  Checks.requiredWhen("hash_fallback", "query_arg", "hash_fallback_query_arg"),
                  Checks.distinct("hash_on_query_arg", "hash_fallback_query_arg"),
                  Checks.requiredWhen("hash_on", "uri_capture", "hash_on_uri_capture"),
                  Checks.requiredWhen("hash_fallback", "uri_capture", "hash_fallback_uri_capture"),
                  Checks.distinct("hash_on_uri_capture", "hash_fallback_uri_capture")),
              List.of(Entities::algorithmShorthand)),
          List.of("name"),
          List.of(),
          List.of());

  // ----------------------------------------------------------------- targets

  public static final EntityType TARGETS =
      new EntityType(
          "targets",
          "target",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestampMs("created_at"),
                  Field.timestampMs("updated_at"),
                  foreign("upstream", "upstreams").required(),
                  string("target").required().check(Validators.TARGET),
                  integer("weight").defaults(100).between(0, 65535),
                  tags()),
              List.of(),
              List.of()),
          List.of(),
          List.of("upstream", "target"),
          List.of(new EntityType.ForeignKey("upstream", "upstreams", true)));

  /** Every entity type, parents before children. */
  public static final List<EntityType> ALL = List.of(SERVICES, ROUTES, UPSTREAMS, TARGETS,
      PluginEntities.CONSUMERS, PluginEntities.PLUGINS, PluginEntities.KEYAUTH_CREDENTIALS,
      PluginEntities.BASICAUTH_CREDENTIALS, PluginEntities.ACLS,
      SecretEntities.VAULTS, SecretEntities.KEY_SETS, SecretEntities.KEYS);

  private static final Map<String, EntityType> BY_NAME = byName();

  private static Map<String, EntityType> byName() {
    Map<String, EntityType> out = new java.util.HashMap<>();
    for (EntityType t : ALL) {
      out.put(t.name(), t);
    }
    return Map.copyOf(out);
  }

  public static EntityType byName(String name) {
    return BY_NAME.get(name);
  }

  /** Kong stores a target as {@code host:port}, port 8000 when omitted, IPv6 bracketed. */
  public static String normalizeTarget(String target) {
    HostPort p = HostPort.parse(target);
    return p.valid() ? p.format(8000) : target;
  }
}
