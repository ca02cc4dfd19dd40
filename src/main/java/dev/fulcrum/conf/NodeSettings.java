package dev.fulcrum.conf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A node's settings: kong.conf names and defaults, read from a {@code fulcrum.conf} file and
 * overridden by {@code FULCRUM_<KEY>} environment variables. Every value is checked at load; a bad
 * one stops start-up with the key and the value in the message.
 */
public final class NodeSettings {
  /** Where configuration is stored. */
  public enum Database {
    EMBEDDED,
    POSTGRES,
    OFF
  }

  public static final String ENV_PREFIX = "FULCRUM_";

  /** Known keys with their defaults, in the order the README documents them. */
  static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("prefix", "fulcrum-data");
    DEFAULTS.put("log_level", "notice");
    DEFAULTS.put("proxy_listen", "0.0.0.0:8000");
    DEFAULTS.put("admin_listen", "127.0.0.1:8001");
    DEFAULTS.put("stream_listen", "off");
    DEFAULTS.put("database", "embedded");
    DEFAULTS.put("declarative_config", "");
    DEFAULTS.put("pg_host", "127.0.0.1");
    DEFAULTS.put("pg_port", "5432");
    DEFAULTS.put("pg_user", "kong");
    DEFAULTS.put("pg_password", "");
    DEFAULTS.put("pg_database", "kong");
    DEFAULTS.put("pg_schema", "");
    DEFAULTS.put("pg_timeout", "5000");
    DEFAULTS.put("pg_ro_host", "");
    DEFAULTS.put("pg_ro_port", "");
    DEFAULTS.put("pg_ro_user", "");
    DEFAULTS.put("pg_ro_password", "");
    DEFAULTS.put("pg_ro_database", "");
    DEFAULTS.put("db_update_frequency", "5");
    DEFAULTS.put("db_update_propagation", "0");
    DEFAULTS.put("db_update_notify", "on");
    DEFAULTS.put("db_cache_ttl", "0");
    DEFAULTS.put("db_cache_neg_ttl", "");
    DEFAULTS.put("db_resurrect_ttl", "30");
    DEFAULTS.put("worker_threads", "auto");
    DEFAULTS.put("drain_timeout", "30");
    DEFAULTS.put("nginx_events_worker_connections", "auto");
    DEFAULTS.put("nginx_admin_client_max_body_size", "10m");
    DEFAULTS.put("mem_cache_size", "128m");
    DEFAULTS.put("nginx_http_keepalive_timeout", "60s");
    DEFAULTS.put("nginx_http_client_header_timeout", "60s");
    DEFAULTS.put("nginx_http_client_body_timeout", "60s");
    DEFAULTS.put("headers", "server_tokens, latency_tokens, x-kong-request-id");
    DEFAULTS.put("error_default_type", "text/plain");
    DEFAULTS.put("upstream_keepalive_pool_size", "512");
    DEFAULTS.put("upstream_keepalive_max_requests", "10000");
    DEFAULTS.put("upstream_keepalive_idle_timeout", "60");
    DEFAULTS.put("lua_ssl_trusted_certificate", "system");
    DEFAULTS.put("lua_ssl_verify_depth", "1");
    DEFAULTS.put("client_ssl", "off");
    DEFAULTS.put("client_ssl_cert", "");
    DEFAULTS.put("client_ssl_cert_key", "");
  }

  private static final Set<String> LOG_LEVELS =
      Set.of("debug", "info", "notice", "warn", "error", "crit", "alert", "emerg");
  private static final Set<String> HEADER_TOKENS =
      Set.of("server_tokens", "latency_tokens", "x-kong-request-id", "via", "server",
          "x-kong-proxy-latency", "x-kong-upstream-latency", "x-kong-response-latency", "off");
  private static final Set<String> ERROR_TYPES =
      Set.of("text/plain", "text/html", "application/json", "application/xml");

  private final Map<String, String> raw;
  private final Set<String> explicit;
  private final List<String> warnings;
  private final Path prefix;
  private final List<ListenAddress> proxyListen;
  private final List<ListenAddress> adminListen;
  private final List<ListenAddress> streamListen;
  private final Database database;
  private final double dbUpdateFrequency;
  private final double dbUpdatePropagation;
  private final double dbCacheTtl;
  private final double dbCacheNegTtl;
  private final double dbResurrectTtl;
  private final int workerThreads;
  private final double drainTimeout;
  private final int maxConnections;
  private final int adminMaxBody;
  private final int memCacheSize;
  private final long keepaliveTimeoutMillis;
  private final long headerTimeoutMillis;
  private final long bodyTimeoutMillis;
  private final Set<String> headers;
  private final int keepalivePoolSize;
  private final int keepaliveMaxRequests;
  private final double keepaliveIdleTimeout;
  private final List<String> trustedCertificates;
  private final int sslVerifyDepth;

  private NodeSettings(Map<String, String> raw, Set<String> explicit, List<String> warnings) {
    this.raw = Collections.unmodifiableMap(raw);
    this.explicit = Set.copyOf(explicit);
    List<String> said = new ArrayList<>(warnings);
    this.prefix = Path.of(raw.get("prefix"));
    this.proxyListen = ListenAddress.parseList("proxy_listen", raw.get("proxy_listen"));
    this.adminListen = ListenAddress.parseList("admin_listen", raw.get("admin_listen"));
    for (ListenAddress a : adminListen) {
      if (!loopback(a.host())) {
        said.add("admin_listen: the Admin API listens on " + a.host() + ":" + a.port() + ", which is not a loopback"
            + " address; it has no authentication (as in Kong OSS): whoever reaches it controls this node");
      }
    }
    this.warnings = List.copyOf(said);
    this.streamListen = ListenAddress.parseList("stream_listen", raw.get("stream_listen"));
    this.database = parseDatabase(raw.get("database"));
    oneOf("log_level", LOG_LEVELS);
    oneOf("error_default_type", ERROR_TYPES);
    oneOf("db_update_notify", Set.of("on", "off"));
    integer("pg_port", 1, 65535);
    integer("pg_timeout", 1, Integer.MAX_VALUE);
    if (!raw.get("pg_ro_port").isEmpty()) {
      integer("pg_ro_port", 1, 65535);
    }
    this.dbUpdateFrequency = seconds("db_update_frequency", 0.001);
    this.dbUpdatePropagation = seconds("db_update_propagation", 0);
    this.dbCacheTtl = seconds("db_cache_ttl", 0);
    this.dbCacheNegTtl = raw.get("db_cache_neg_ttl").isBlank() ? dbCacheTtl : seconds("db_cache_neg_ttl", 0);
    this.dbResurrectTtl = seconds("db_resurrect_ttl", 0);
    this.workerThreads =
        raw.get("worker_threads").equalsIgnoreCase("auto") ? 0 : integer("worker_threads", 1, 1024);
    this.drainTimeout = seconds("drain_timeout", 0);
    this.memCacheSize = NginxValues.bytes("mem_cache_size", raw.get("mem_cache_size"));
    this.adminMaxBody = NginxValues.bytes("nginx_admin_client_max_body_size", raw.get("nginx_admin_client_max_body_size"));
    this.keepaliveTimeoutMillis = NginxValues.timeMillis("nginx_http_keepalive_timeout", raw.get("nginx_http_keepalive_timeout"));
    this.headerTimeoutMillis = NginxValues.timeMillis("nginx_http_client_header_timeout", raw.get("nginx_http_client_header_timeout"));
    this.bodyTimeoutMillis = NginxValues.timeMillis("nginx_http_client_body_timeout", raw.get("nginx_http_client_body_timeout"));
    this.maxConnections = raw.get("nginx_events_worker_connections").equalsIgnoreCase("auto")
        ? 0 : integer("nginx_events_worker_connections", 1, Integer.MAX_VALUE);
    this.headers = parseHeaders(raw.get("headers"));
    this.keepalivePoolSize = integer("upstream_keepalive_pool_size", 0, 1_000_000);
    this.keepaliveMaxRequests = integer("upstream_keepalive_max_requests", 0, Integer.MAX_VALUE);
    this.keepaliveIdleTimeout = seconds("upstream_keepalive_idle_timeout", 0);
    this.trustedCertificates = parseTrusted(raw.get("lua_ssl_trusted_certificate"));
    this.sslVerifyDepth = integer("lua_ssl_verify_depth", 0, 100);
    oneOf("client_ssl", Set.of("on", "off"));
    if (clientSsl()) {
      for (String key : List.of("client_ssl_cert", "client_ssl_cert_key")) {
        String file = raw.get(key);
        if (file.isBlank()) {
          throw new SettingsException(key + ": must be set when client_ssl is on");
        }
        readable(key, file);
      }
    }
  }

  private static boolean loopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
  }

  /** Kong's comma-separated list of PEM files, where {@code system} names the JDK's trust store. */
  private List<String> parseTrusted(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      if (!p.equals("system")) {
        readable("lua_ssl_trusted_certificate", p);
      }
      out.add(p);
    }
    if (out.isEmpty()) {
      out.add("system");
    }
    return List.copyOf(out);
  }

  private static void readable(String key, String file) {
    if (!Files.isReadable(Path.of(file))) {
      throw new SettingsException(key + ": cannot read " + file);
    }
  }

  /** Defaults only (tests and embedding). */
  public static NodeSettings defaults() {
    return load(null, Map.of(), Map.of());
  }

  /**
   * Defaults, then the file (if any), then {@code FULCRUM_*} variables of {@code env}, then
   * {@code overrides} (used by tests).
   */
  public static NodeSettings load(Path file, Map<String, String> env, Map<String, String> overrides) {
    Map<String, String> raw = new LinkedHashMap<>(DEFAULTS);
    List<String> warnings = new ArrayList<>();
    Set<String> explicit = new java.util.HashSet<>();
    if (file != null) {
      readFile(file, raw, explicit, warnings);
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String key = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
      if (DEFAULTS.containsKey(key)) {
        raw.put(key, e.getValue().trim());
        explicit.add(key);
      }
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())) {
        throw new SettingsException("unknown setting '" + e.getKey() + "'");
      }
      raw.put(e.getKey(), e.getValue());
      explicit.add(e.getKey());
    }
    return new NodeSettings(raw, explicit, warnings);
  }

  private static void readFile(Path file, Map<String, String> raw, Set<String> explicit, List<String> warnings) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SettingsException("cannot read configuration file " + file + ": " + e.getMessage());
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = stripComment(lines.get(i)).trim();
      if (line.isEmpty()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new SettingsException(
            file + ":" + (i + 1) + ": expected 'key = value', got '" + lines.get(i).trim() + "'");
      }
      String key = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(eq + 1).trim();
      if (!DEFAULTS.containsKey(key)) {
        warnings.add(file + ":" + (i + 1) + ": unknown setting '" + key + "' ignored");
        continue;
      }
      raw.put(key, value);
      explicit.add(key);
    }
  }

  /** {@code #} starts a comment unless escaped as {@code \#}, as in kong.conf. */
  private static String stripComment(String line) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '#') {
        sb.append('#');
        i++;
      } else if (c == '#') {
        break;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static Database parseDatabase(String value) {
    switch (value.toLowerCase(Locale.ROOT)) {
      case "embedded":
        return Database.EMBEDDED;
      case "postgres":
        return Database.POSTGRES;
      case "off":
        return Database.OFF;
      default:
        throw new SettingsException("database", value, "expected one of: embedded, postgres, off");
    }
  }

  private void oneOf(String key, Set<String> allowed) {
    String v = raw.get(key).toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      throw new SettingsException(key, raw.get(key), "expected one of: " + String.join(", ", new java.util.TreeSet<>(allowed)));
    }
  }

  private int integer(String key, int min, int max) {
    String v = raw.get(key);
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min || n > max) {
        throw new SettingsException(key, v, "expected an integer between " + min + " and " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new SettingsException(key, v, "expected an integer");
    }
  }

  private double seconds(String key, double min) {
    String v = raw.get(key);
    try {
      double d = Double.parseDouble(v.trim());
      if (d < min || Double.isNaN(d) || Double.isInfinite(d)) {
        throw new SettingsException(key, v, "expected a number of seconds >= " + trim(min));
      }
      return d;
    } catch (NumberFormatException e) {
      throw new SettingsException(key, v, "expected a number of seconds");
    }
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static Set<String> parseHeaders(String value) {
    Set<String> out = new LinkedHashSet<>();
    for (String token : value.split(",")) {
      String t = token.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      if (!HEADER_TOKENS.contains(t)) {
        throw new SettingsException(
            "headers", value, "unknown token '" + token.trim() + "'; expected any of: "
                + String.join(", ", new java.util.TreeSet<>(HEADER_TOKENS)));
      }
      out.add(t);
    }
    if (out.contains("off")) {
      out.clear();
    }
    return Collections.unmodifiableSet(out);
  }

  public String get(String key) {
    return raw.get(key);
  }

  /** Whether the file, the environment or the command line set {@code key} (not just its default). */
  public boolean isSet(String key) {
    return explicit.contains(key);
  }

  /** Every setting with its effective value (passwords blanked), for {@code GET /}. */
  public Map<String, String> sanitized() {
    Map<String, String> out = new LinkedHashMap<>(raw);
    for (String k : Arrays.asList("pg_password", "pg_ro_password")) {
      if (!out.get(k).isEmpty()) {
        out.put(k, "******");
      }
    }
    return out;
  }

  public List<String> warnings() {
    return warnings;
  }

  public Path prefix() {
    return prefix;
  }

  public List<ListenAddress> proxyListen() {
    return proxyListen;
  }

  public List<ListenAddress> adminListen() {
    return adminListen;
  }

  public List<ListenAddress> streamListen() {
    return streamListen;
  }

  public Database database() {
    return database;
  }

  public double dbUpdateFrequency() {
    return dbUpdateFrequency;
  }

  public double dbUpdatePropagation() {
    return dbUpdatePropagation;
  }

  /** Seconds a value read from the database stays cached; 0 = until invalidated. */
  public double dbCacheTtl() {
    return dbCacheTtl;
  }

  /** As {@link #dbCacheTtl} for a miss (nothing found); defaults to db_cache_ttl, as in Kong. */
  public double dbCacheNegTtl() {
    return dbCacheNegTtl;
  }

  /** Seconds an expired value is still served when the database cannot be reached to refresh it. */
  public double dbResurrectTtl() {
    return dbResurrectTtl;
  }

  /** Event-loop threads for the proxy; 0 means one per CPU. */
  public int workerThreads() {
    return workerThreads;
  }

  /** Seconds a stopping node waits for requests in flight. */
  /** How long an idle keep-alive client connection is kept (nginx_http_keepalive_timeout), ms; 0 never. */
  public long keepaliveTimeoutMillis() {
    return keepaliveTimeoutMillis;
  }

  /** How long a request head may take once begun (nginx_http_client_header_timeout), ms. */
  public long headerTimeoutMillis() {
    return headerTimeoutMillis;
  }

  /** How long a request body may pause between two pieces (nginx_http_client_body_timeout), ms. */
  public long bodyTimeoutMillis() {
    return bodyTimeoutMillis;
  }

  /** What proxy-cache's memory strategy may hold, in bytes (Kong's mem_cache_size). */
  public int memCacheSize() {
    return memCacheSize;
  }

  /** The largest Admin API request body, in bytes (nginx_admin_client_max_body_size). */
  public int adminMaxBody() {
    return adminMaxBody;
  }

  /**
   * Client connections the proxy and stream listeners hold at once (Kong's
   * nginx_events_worker_connections), 0 for no cap of the node's own ({@code auto}).
   */
  public int maxConnections() {
    return maxConnections;
  }

  public double drainTimeout() {
    return drainTimeout;
  }

  /** True if the {@code headers} setting enables {@code token} (e.g. server_tokens). */
  public boolean header(String token) {
    return headers.contains(token);
  }

  /** PEM files of the CAs trusted when verifying upstreams, or {@code system} (lua_ssl_trusted_certificate). */
  public List<String> trustedCertificates() {
    return trustedCertificates;
  }

  /** lua_ssl_verify_depth: the default verify depth of upstream certificate chains. */
  public int sslVerifyDepth() {
    return sslVerifyDepth;
  }

  /** Whether upstream connections present client_ssl_cert (mutual TLS). */
  public boolean clientSsl() {
    return raw.get("client_ssl").equals("on");
  }

  public int keepalivePoolSize() {
    return keepalivePoolSize;
  }

  public int keepaliveMaxRequests() {
    return keepaliveMaxRequests;
  }

  public double keepaliveIdleTimeout() {
    return keepaliveIdleTimeout;
  }

  public String errorDefaultType() {
    return raw.get("error_default_type").toLowerCase(Locale.ROOT);
  }

  public String logLevel() {
    return raw.get("log_level").toLowerCase(Locale.ROOT);
  }
}
