package dev.fulcrum.haproxy;

import dev.fulcrum.model.Algorithm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed haproxy.cfg: the global settings and the proxies (frontends, backends, listens) in
 * declaration order, with their defaults applied, plus the warnings for what Fulcrum accepted but
 * does not act on.
 */
public final class HaproxyConfig {
  final Path file;
  final Global global = new Global();
  final List<Proxy> proxies = new ArrayList<>();
  final List<String> warnings = new ArrayList<>();

  HaproxyConfig(Path file) {
    this.file = file;
  }

  /** Parses a file; ${NAME} expands from the environment. Throws {@link CfgException}. */
  public static HaproxyConfig parse(Path file) {
    return parse(file, System.getenv());
  }

  public static HaproxyConfig parse(Path file, Map<String, String> env) {
    return new CfgParser(file, env).parse();
  }

  public List<String> warnings() {
    return warnings;
  }

  public Global global() {
    return global;
  }

  public List<Proxy> proxies() {
    return proxies;
  }

  public Proxy proxy(String name) {
    for (Proxy p : proxies) {
      if (p.name.equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** The {@code global} section. */
  public static final class Global {
    int maxconn;
    final List<StatsSocket> statsSockets = new ArrayList<>();
    long statsTimeoutMillis = 10_000;
    int statsMaxconn = 10;
    String node;
    long hardStopAfterMillis;
    /** {@code ssl-server-verify}: whether servers with {@code ssl} verify by default (HAProxy: yes). */
    boolean sslServerVerify = true;
    /** {@code ca-base} and {@code crt-base}: where relative {@code ca-file} and {@code crt} paths start. */
    String caBase;
    String crtBase;

    public List<StatsSocket> statsSockets() {
      return statsSockets;
    }

    public int maxconn() {
      return maxconn;
    }
  }

  /**
   * A {@code stats socket}: a TCP address or a UNIX path.
   *
   * @param level user, operator or admin
   */
  public record StatsSocket(String host, int port, Path unixPath, String level, String where) {}

  /** A {@code bind} address of a frontend. */
  public record Bind(String host, int port, boolean acceptProxy, int maxconn, String name) {}

  /** One ACL test: criterion (path_beg, hdr(host), ...), flags and values. */
  public record AclTerm(String fetch, String arg, String match, boolean ignoreCase, List<String> values) {}

  /** A condition: OR of AND-groups of (possibly negated) ACL names or anonymous ACLs. */
  public record Condition(boolean unless, List<List<CondTerm>> orGroups) {}

  /** A named ACL reference, or an anonymous one ({@code { path_beg /x }}). */
  public record CondTerm(boolean negated, String aclName, AclTerm anonymous) {}

  public record UseBackend(String backend, Condition condition, String where) {}

  /**
   * An {@code http-request} or {@code http-response} rule Fulcrum runs.
   *
   * @param action deny, set-header, add-header or del-header
   * @param name the header, for header actions
   * @param value the log-format value of set-header and add-header
   * @param status deny_status
   * @param condition its {@code if|unless}, or null
   */
  public record HttpRule(String action, String name, String value, int status, Condition condition, String where) {}

  /**
   * {@code balance}, read once: the algorithm without its parenthesis, and what its arguments say.
   *
   * @param name the header of {@code hdr(name)} or the parameter of {@code url_param}
   * @param draws {@code random(draws)}
   * @param uriWhole, uriLen, uriDepth {@code balance uri} options
   * @param domainOnly {@code hdr(name) use_domain_only}
   */
  public record Balance(
      Algorithm algorithm, String name, int draws, boolean uriWhole, int uriLen, int uriDepth, boolean domainOnly) {
    static Balance of(Algorithm algorithm) {
      return new Balance(algorithm, null, 2, false, 0, 0, false);
    }
  }

  /** Settings every proxy section has; defaults sections carry them too. */
  public static final class Proxy {
    public enum Kind {
      DEFAULTS,
      FRONTEND,
      BACKEND,
      LISTEN
    }

    final String name;
    final Kind kind;
    final String where;
    int id;
    boolean idForced;
    String mode = "tcp";
    final List<Bind> binds = new ArrayList<>();
    String defaultBackend;
    String defaultBackendWhere;
    final List<UseBackend> useBackends = new ArrayList<>();
    final Map<String, List<AclTerm>> acls = new LinkedHashMap<>();
    final List<HttpRule> httpRequestRules = new ArrayList<>();
    final List<HttpRule> httpResponseRules = new ArrayList<>();
    Balance balance = Balance.of(Algorithm.ROUNDROBIN);
    boolean hashConsistent;
    String hashFunction = "sdbm";
    Boolean hashAvalanche;
    final List<Server> servers = new ArrayList<>();
    Server defaultServer = new Server();
    boolean redispatch;
    int redispatchInterval = -1;
    boolean allBackups;
    boolean forwardFor;
    boolean httpCheck;
    String checkMethod = "OPTIONS";
    String checkUri = "/";
    String checkVersion = "HTTP/1.0";
    final List<String[]> checkHeaders = new ArrayList<>();
    List<int[]> expectStatus;
    boolean expectNegated;
    boolean disableOn404;
    int retries = 3;
    List<String> retryOn = List.of("conn-failure");
    long timeoutConnect;
    long timeoutClient;
    long timeoutServer;
    long timeoutTunnel;
    long timeoutQueue;
    long timeoutCheck;
    long timeoutHttpRequest;
    long timeoutHttpKeepAlive;
    int maxconn;
    int fullconn;
    String statsUri;
    int statsRefresh;
    boolean statsShowLegends;
    boolean statsEnabled;

    Proxy(String name, Kind kind, String where) {
      this.name = name;
      this.kind = kind;
      this.where = where;
    }

    /** A proxy inheriting the settings of a defaults section. */
    Proxy inherit(String name, Kind kind, String where) {
      Proxy p = new Proxy(name, kind, where);
      p.mode = mode;
      p.balance = balance;
      p.hashConsistent = hashConsistent;
      p.hashFunction = hashFunction;
      p.hashAvalanche = hashAvalanche;
      p.defaultServer = defaultServer.copy();
      p.redispatch = redispatch;
      p.redispatchInterval = redispatchInterval;
      p.allBackups = allBackups;
      p.forwardFor = forwardFor;
      p.httpCheck = httpCheck;
      p.checkMethod = checkMethod;
      p.checkUri = checkUri;
      p.checkVersion = checkVersion;
      p.checkHeaders.addAll(checkHeaders);
      p.expectStatus = expectStatus;
      p.expectNegated = expectNegated;
      p.disableOn404 = disableOn404;
      p.retries = retries;
      p.retryOn = retryOn;
      p.timeoutConnect = timeoutConnect;
      p.timeoutClient = timeoutClient;
      p.timeoutServer = timeoutServer;
      p.timeoutTunnel = timeoutTunnel;
      p.timeoutQueue = timeoutQueue;
      p.timeoutCheck = timeoutCheck;
      p.timeoutHttpRequest = timeoutHttpRequest;
      p.timeoutHttpKeepAlive = timeoutHttpKeepAlive;
      p.maxconn = maxconn;
      p.fullconn = fullconn;
      p.statsUri = statsUri;
      p.statsRefresh = statsRefresh;
      p.statsShowLegends = statsShowLegends;
      p.statsEnabled = statsEnabled;
      return p;
    }

    public String name() {
      return name;
    }

    public Kind kind() {
      return kind;
    }

    public boolean isFrontend() {
      return kind == Kind.FRONTEND || kind == Kind.LISTEN;
    }

    public boolean isBackend() {
      return kind == Kind.BACKEND || kind == Kind.LISTEN;
    }

    public boolean http() {
      return "http".equals(mode);
    }

    public List<Server> servers() {
      return servers;
    }

    public List<Bind> binds() {
      return binds;
    }

    public int id() {
      return id;
    }

    /** The queue timeout: its own, else the connect timeout (HAProxy's default). */
    long queueTimeout() {
      return timeoutQueue > 0 ? timeoutQueue : timeoutConnect;
    }
  }

  /** A {@code server} line (or {@code default-server} settings). */
  public static final class Server {
    String name;
    int id;
    boolean idForced;
    String host;
    int port;
    boolean check;
    long inter = 2000;
    long fastinter;
    long downinter;
    int rise = 2;
    int fall = 3;
    int checkPort;
    String checkAddr;
    int weight = 1;
    boolean backup;
    int maxconn;
    int maxqueue;
    long slowstartMillis;
    boolean disabled;
    int sendProxy;
    boolean shutdownSessionsOnDown;
    /** {@code ssl}: traffic to the server is TLS. */
    boolean ssl;
    /** {@code check-ssl}: checks are TLS even when traffic is not, or on another port. */
    boolean checkSsl;
    /** {@code verify none|required}; null for the global {@code ssl-server-verify}. */
    Boolean verify;
    String caFile;
    String crt;
    /** {@code sni} expression as written, or null. */
    String sni;
    /** {@code check-sni}: the server name of TLS checks. */
    String checkSni;
    String where;

    Server copy() {
      Server s = new Server();
      s.check = check;
      s.inter = inter;
      s.fastinter = fastinter;
      s.downinter = downinter;
      s.rise = rise;
      s.fall = fall;
      s.checkPort = checkPort;
      s.checkAddr = checkAddr;
      s.weight = weight;
      s.backup = backup;
      s.maxconn = maxconn;
      s.maxqueue = maxqueue;
      s.slowstartMillis = slowstartMillis;
      s.disabled = disabled;
      s.sendProxy = sendProxy;
      s.shutdownSessionsOnDown = shutdownSessionsOnDown;
      s.ssl = ssl;
      s.checkSsl = checkSsl;
      s.verify = verify;
      s.caFile = caFile;
      s.crt = crt;
      s.sni = sni;
      s.checkSni = checkSni;
      return s;
    }

    public String name() {
      return name;
    }

    public int id() {
      return id;
    }

    public String host() {
      return host;
    }

    public int port() {
      return port;
    }

    public boolean check() {
      return check;
    }

    public int weight() {
      return weight;
    }

    public int rise() {
      return rise;
    }

    public int fall() {
      return fall;
    }
  }
}
