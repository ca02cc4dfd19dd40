package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.haproxy.CfgReader.Section;
import dev.fulcrum.haproxy.HaproxyConfig.AclTerm;
import dev.fulcrum.haproxy.HaproxyConfig.Bind;
import dev.fulcrum.haproxy.HaproxyConfig.CondTerm;
import dev.fulcrum.haproxy.HaproxyConfig.Condition;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a haproxy.cfg into a {@link HaproxyConfig}. A syntax error stops with file, line and
 * reason; a keyword Fulcrum accepts but does not act on (process management, logging, TLS, ...) is
 * a warning naming file and line, each meaningless global keyword warned about once.
 */
final class CfgParser {
  /** Global keywords with no meaning in one JVM process. */
  private static final Set<String> JVM_MEANINGLESS =
      Set.of("chroot", "user", "group", "uid", "gid", "daemon", "log", "nbproc", "pidfile", "master-worker",
          "log-send-hostname", "log-tag", "ulimit-n", "setenv", "presetenv", "resetenv", "unsetenv", "cpu-map",
          "quiet", "zero-warning", "expose-experimental-directives", "description");

  private final Path file;
  private final java.util.Map<String, String> env;
  private final HaproxyConfig config;
  private final Set<String> warnedOnce = new HashSet<>();

  CfgParser(Path file, java.util.Map<String, String> env) {
    this.file = file;
    this.env = env;
    this.config = new HaproxyConfig(file);
  }

  HaproxyConfig parse() {
    List<Section> sections = CfgReader.read(file, env);
    Proxy defaults = new Proxy("defaults", Proxy.Kind.DEFAULTS, file + ":0");
    Set<String> names = new HashSet<>();
    for (Section s : sections) {
      switch (s.type()) {
        case "global":
          global(s);
          break;
        case "defaults":
          defaults = defaults.inherit(s.name() == null ? "defaults" : s.name(), Proxy.Kind.DEFAULTS, s.header().where());
          proxy(s, defaults);
          break;
        case "frontend":
        case "backend":
        case "listen":
          {
            if (s.name() == null) {
              throw new CfgException(s.header().where() + ": '" + s.type() + "' expects a name");
            }
            if (!names.add(s.name())) {
              throw new CfgException(s.header().where() + ": a proxy named '" + s.name() + "' already exists");
            }
            Proxy.Kind kind = Proxy.Kind.valueOf(s.type().toUpperCase(Locale.ROOT));
            Proxy p = defaults.inherit(s.name(), kind, s.header().where());
            proxy(s, p);
            config.proxies.add(p);
            break;
          }
        default:
          warn(s.header(), "section '" + s.type() + "' is not supported by Fulcrum; ignored");
      }
    }
    assignIds();
    check();
    return config;
  }

  private void warn(Line line, String message) {
    config.warnings.add(line.where() + ": " + message);
  }

  // ------------------------------------------------------------------ global

  private void global(Section s) {
    for (Line l : s.lines()) {
      String k = l.word(0);
      if (JVM_MEANINGLESS.contains(k)) {
        if (warnedOnce.add(k)) {
          warn(l, "'" + k + "' has no meaning for Fulcrum (one JVM process); ignored");
        }
        continue;
      }
      switch (k) {
        case "maxconn":
          config.global.maxconn = integer(l, 1);
          break;
        case "node":
          config.global.node = need(l, 1);
          break;
        case "hard-stop-after":
          config.global.hardStopAfterMillis = time(l, 1);
          break;
        case "stats":
          globalStats(l);
          break;
        default:
          if (k.startsWith("tune.") || k.startsWith("ssl-") || k.startsWith("ca-") || k.startsWith("crt-")
              || k.equals("nbthread") || k.equals("spread-checks") || k.equals("maxsslconn")) {
            warn(l, "'" + k + "' is not implemented by Fulcrum; ignored");
          } else {
            warn(l, "unknown keyword '" + k + "' in 'global' section; ignored");
          }
      }
    }
  }

  private void globalStats(Line l) {
    switch (l.word(1)) {
      case "socket":
        config.global.statsSockets.add(statsSocket(l));
        break;
      case "timeout":
        config.global.statsTimeoutMillis = time(l, 2);
        break;
      case "maxconn":
        config.global.statsMaxconn = integer(l, 2);
        break;
      default:
        warn(l, "'stats " + l.word(1) + "' is not implemented by Fulcrum; ignored");
    }
  }

  private HaproxyConfig.StatsSocket statsSocket(Line l) {
    String addr = need(l, 2);
    String level = "operator";
    for (int i = 3; i < l.size(); i++) {
      String p = l.word(i);
      if (p.equals("level")) {
        level = need(l, ++i);
        if (!Set.of("user", "operator", "admin").contains(level)) {
          throw new CfgException(l.where() + ": 'level' only supports 'user', 'operator', and 'admin' (got '" + level + "')");
        }
      } else if (p.equals("mode") || p.equals("user") || p.equals("group") || p.equals("uid") || p.equals("gid")) {
        warn(l, "stats socket '" + p + "' is ignored by Fulcrum");
        i++;
      } else {
        warn(l, "stats socket option '" + p + "' is not implemented by Fulcrum; ignored");
      }
    }
    if (addr.startsWith("unix@")) {
      addr = addr.substring(5);
    }
    if (addr.startsWith("/") || addr.startsWith("./")) {
      return new HaproxyConfig.StatsSocket(null, 0, Path.of(addr), level, l.where());
    }
    String[] hp = hostPort(l, addr);
    return new HaproxyConfig.StatsSocket(hp[0], Integer.parseInt(hp[1]), null, level, l.where());
  }

  // ------------------------------------------------------------------ proxies

  private void proxy(Section s, Proxy p) {
    for (Line l : s.lines()) {
      keyword(l, p);
    }
  }

  private void keyword(Line l, Proxy p) {
    String k = l.word(0);
    switch (k) {
      case "mode":
        {
          String m = need(l, 1);
          if (!m.equals("tcp") && !m.equals("http")) {
            throw new CfgException(l.where() + ": unknown proxy mode '" + m + "' (expected tcp or http)");
          }
          p.mode = m;
          return;
        }
      case "bind":
        onlyIn(l, p, false, true);
        bind(l, p);
        return;
      case "default_backend":
        onlyIn(l, p, false, true);
        p.defaultBackend = need(l, 1);
        p.defaultBackendWhere = l.where();
        return;
      case "use_backend":
        onlyIn(l, p, false, true);
        p.useBackends.add(new HaproxyConfig.UseBackend(need(l, 1), condition(l, 2), l.where()));
        return;
      case "acl":
        p.acls.computeIfAbsent(need(l, 1), x -> new ArrayList<>()).add(acl(l, 2, l.size()));
        return;
      case "balance":
        onlyIn(l, p, true, false);
        balance(l, p);
        return;
      case "hash-type":
        hashType(l, p);
        return;
      case "server":
        onlyIn(l, p, true, false);
        server(l, p);
        return;
      case "default-server":
        serverParams(l, p.defaultServer, 1);
        return;
      case "option":
      case "no":
        option(l, p);
        return;
      case "retries":
        p.retries = integer(l, 1);
        return;
      case "retry-on":
        retryOn(l, p);
        return;
      case "timeout":
        timeout(l, p);
        return;
      case "maxconn":
        p.maxconn = integer(l, 1);
        return;
      case "fullconn":
        p.fullconn = integer(l, 1);
        return;
      case "stats":
        stats(l, p);
        return;
      case "http-check":
        httpCheck(l, p);
        return;
      case "id":
        p.id = integer(l, 1);
        p.idForced = true;
        return;
      case "log":
      case "description":
        if (warnedOnce.add(k + "@" + p.name)) {
          warn(l, "'" + k + "' is accepted and ignored by Fulcrum");
        }
        return;
      case "disabled":
      case "enabled":
        warn(l, "'" + k + "' on a proxy is not implemented by Fulcrum; ignored");
        return;
      default:
        warn(l, "keyword '" + k + "' is not implemented by Fulcrum; ignored");
    }
  }

  private void onlyIn(Line l, Proxy p, boolean backend, boolean frontend) {
    if (p.kind == Proxy.Kind.DEFAULTS) {
      if (l.word(0).equals("bind") || l.word(0).equals("server") || l.word(0).equals("use_backend")) {
        throw new CfgException(l.where() + ": '" + l.word(0) + "' not allowed in 'defaults' section");
      }
      return;
    }
    if ((backend && !p.isBackend() && !frontend) || (frontend && !p.isFrontend() && !backend)) {
      throw new CfgException(
          l.where() + ": '" + l.word(0) + "' not allowed in '" + p.kind.name().toLowerCase(Locale.ROOT) + "' section");
    }
  }

  private void bind(Line l, Proxy p) {
    String addrs = need(l, 1);
    boolean acceptProxy = false;
    int maxconn = 0;
    String name = null;
    for (int i = 2; i < l.size(); i++) {
      String w = l.word(i);
      switch (w) {
        case "accept-proxy":
          acceptProxy = true;
          break;
        case "maxconn":
          maxconn = integer(l, ++i);
          break;
        case "name":
          name = need(l, ++i);
          break;
        case "backlog":
        case "defer-accept":
        case "v4v6":
        case "v6only":
        case "transparent":
        case "tfo":
          warn(l, "bind option '" + w + "' is ignored by Fulcrum");
          if (w.equals("backlog")) {
            i++;
          }
          break;
        case "ssl":
        case "crt":
        case "alpn":
          throw new CfgException(l.where() + ": bind option '" + w + "' (TLS) is not supported by Fulcrum yet");
        default:
          warn(l, "bind option '" + w + "' is not implemented by Fulcrum; ignored");
      }
    }
    for (String a : addrs.split(",")) {
      String[] hp = hostPort(l, a);
      String[] ports = hp[1].split("-");
      int from = port(l, ports[0]);
      int to = ports.length > 1 ? port(l, ports[1]) : from;
      for (int port = from; port <= to; port++) {
        p.binds.add(new Bind(hp[0], port, acceptProxy, maxconn, name));
      }
    }
  }

  /** {@code [ipv4@|ipv6@]host:port}, {@code *:port}, {@code :port}, {@code [v6]:port}. */
  private static String[] hostPort(Line l, String a) {
    String s = a;
    if (s.startsWith("ipv4@") || s.startsWith("ipv6@")) {
      s = s.substring(5);
    }
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new CfgException(l.where() + ": missing port number in '" + a + "'");
    }
    String host = s.substring(0, colon);
    String port = s.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || host.equals("*")) {
      host = "0.0.0.0";
    }
    if (port.isEmpty()) {
      throw new CfgException(l.where() + ": missing port number in '" + a + "'");
    }
    return new String[] {host, port};
  }

  private static int port(Line l, String text) {
    try {
      int p = Integer.parseInt(text);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new CfgException(l.where() + ": invalid port '" + text + "'");
    }
  }

  private void balance(Line l, Proxy p) {
    String algo = need(l, 1);
    List<String> args = l.words().subList(2, l.size());
    String base = algo.contains("(") ? algo.substring(0, algo.indexOf('(')) : algo;
    switch (base) {
      case "roundrobin":
      case "static-rr":
      case "leastconn":
      case "first":
      case "source":
      case "uri":
      case "random":
        break;
      case "url_param":
        if (args.isEmpty()) {
          throw new CfgException(l.where() + ": 'balance url_param' requires an URL parameter name");
        }
        break;
      case "hdr":
        if (!algo.endsWith(")") || algo.length() <= "hdr()".length()) {
          throw new CfgException(l.where() + ": hdr requires a header name, as in 'balance hdr(Host)'");
        }
        break;
      default:
        throw new CfgException(
            l.where() + ": unknown load balancing algorithm '" + algo
                + "' (supported: roundrobin, static-rr, leastconn, first, source, uri, url_param, hdr(<name>), random)");
    }
    p.balance = new HaproxyConfig.Balance(algo, List.copyOf(args));
  }

  private void hashType(Line l, Proxy p) {
    String t = need(l, 1);
    if (!t.equals("map-based") && !t.equals("consistent")) {
      throw new CfgException(l.where() + ": 'hash-type' only supports 'consistent' and 'map-based'");
    }
    p.hashConsistent = t.equals("consistent");
    p.hashAvalanche = null;
    for (int i = 2; i < l.size(); i++) {
      String w = l.word(i);
      if (w.equals("avalanche")) {
        p.hashAvalanche = true;
      } else if (Set.of("sdbm", "djb2", "wt6", "crc32").contains(w)) {
        p.hashFunction = w;
        if (p.hashAvalanche == null) {
          p.hashAvalanche = false;
        }
      } else {
        throw new CfgException(l.where() + ": unknown hash function or modifier '" + w + "'");
      }
    }
  }

  private void server(Line l, Proxy p) {
    Server s = p.defaultServer.copy();
    s.name = need(l, 1);
    String addr = need(l, 2);
    s.where = l.where();
    int colon = addr.lastIndexOf(':');
    if (addr.startsWith("ipv4@") || addr.startsWith("ipv6@")) {
      addr = addr.substring(5);
      colon = addr.lastIndexOf(':');
    }
    if (colon < 0 || addr.endsWith("]")) {
      throw new CfgException(
          l.where() + ": server '" + s.name + "' needs an explicit port (Fulcrum does not forward to the client's destination port)");
    }
    String host = addr.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    s.host = host;
    s.port = port(l, addr.substring(colon + 1));
    for (Server other : p.servers) {
      if (other.name.equals(s.name)) {
        throw new CfgException(l.where() + ": server '" + s.name + "' already exists in '" + p.name + "'");
      }
    }
    serverParams(l, s, 3);
    p.servers.add(s);
  }

  private void serverParams(Line l, Server s, int from) {
    for (int i = from; i < l.size(); i++) {
      String w = l.word(i);
      switch (w) {
        case "check":
          s.check = true;
          break;
        case "no-check":
          s.check = false;
          break;
        case "inter":
          s.inter = time(l, ++i);
          break;
        case "fastinter":
          s.fastinter = time(l, ++i);
          break;
        case "downinter":
          s.downinter = time(l, ++i);
          break;
        case "rise":
          s.rise = positive(l, ++i);
          break;
        case "fall":
          s.fall = positive(l, ++i);
          break;
        case "port":
          s.checkPort = port(l, need(l, ++i));
          break;
        case "addr":
          s.checkAddr = need(l, ++i);
          break;
        case "weight":
          {
            s.weight = integer(l, ++i);
            if (s.weight > 256) {
              throw new CfgException(l.where() + ": weight of server '" + s.name + "' is " + s.weight + " (expected: 0..256)");
            }
            break;
          }
        case "backup":
          s.backup = true;
          break;
        case "maxconn":
          s.maxconn = integer(l, ++i);
          break;
        case "maxqueue":
          s.maxqueue = integer(l, ++i);
          break;
        case "slowstart":
          s.slowstartMillis = time(l, ++i);
          break;
        case "disabled":
          s.disabled = true;
          break;
        case "enabled":
          s.disabled = false;
          break;
        case "send-proxy":
          s.sendProxy = 1;
          break;
        case "send-proxy-v2":
          s.sendProxy = 2;
          break;
        case "on-marked-down":
          {
            String a = need(l, ++i);
            if (!a.equals("shutdown-sessions")) {
              throw new CfgException(l.where() + ": 'on-marked-down' expects 'shutdown-sessions'");
            }
            s.shutdownSessionsOnDown = true;
            break;
          }
        case "id":
          s.id = positive(l, ++i);
          s.idForced = true;
          break;
        case "ssl":
        case "check-ssl":
        case "verify":
        case "sni":
        case "ca-file":
        case "crt":
          throw new CfgException(l.where() + ": server option '" + w + "' (TLS) is not supported by Fulcrum yet");
        default:
          if (Set.of("cookie", "resolvers", "init-addr", "observe", "error-limit", "on-error", "on-marked-up",
                  "agent-check", "agent-port", "agent-inter", "agent-send", "track", "resolve-prefer", "pool-max-conn",
                  "pool-purge-delay", "minconn", "redir", "source", "alpn", "proto")
              .contains(w)) {
            warn(l, "server option '" + w + "' is not implemented by Fulcrum; ignored");
            if (!Set.of("agent-check").contains(w) && i + 1 < l.size()) {
              i++;
            }
          } else {
            throw new CfgException(l.where() + ": unknown keyword '" + w + "' on server line");
          }
      }
    }
  }

  private void option(Line l, Proxy p) {
    boolean negate = l.word(0).equals("no");
    int at = negate ? 2 : 1;
    if (negate && !l.word(1).equals("option")) {
      throw new CfgException(l.where() + ": 'no' must be followed by 'option'");
    }
    String o = need(l, at);
    switch (o) {
      case "redispatch":
        p.redispatch = !negate;
        if (l.size() > at + 1) {
          p.redispatchInterval = integer(l, at + 1);
        }
        return;
      case "allbackups":
        p.allBackups = !negate;
        return;
      case "forwardfor":
        p.forwardFor = !negate;
        return;
      case "splice-auto":
      case "splice-request":
      case "splice-response":
        // Netty's splice (deprecated) loses the unread tail of a socket that half-closes while its
        // pipe is full; Fulcrum copies through pooled direct buffers instead (faster than HAProxy
        // without splice on bench/tcp-proxy.sh).
        warn(l, "'option " + o + "' is not implemented by Fulcrum (no splice(2): bytes go through pooled"
            + " buffers); ignored");
        return;
      case "httpchk":
        p.httpCheck = !negate;
        if (l.size() > at + 1) {
          List<String> a = l.words().subList(at + 1, l.size());
          if (a.size() == 1) {
            p.checkUri = a.get(0);
          } else {
            p.checkMethod = a.get(0);
            p.checkUri = a.get(1);
            if (a.size() > 2) {
              p.checkVersion = a.get(2);
            }
          }
        }
        return;
      case "tcplog":
      case "httplog":
      case "dontlognull":
      case "log-health-checks":
      case "logasap":
        warn(l, "'option " + o + "' has no effect: Fulcrum sends no traffic logs (log targets are ignored)");
        return;
      case "http-keep-alive":
        // HAProxy's default HTTP mode, and the only one Fulcrum's L7 proxy runs.
        return;
      default:
        warn(l, "'option " + o + "' is not implemented by Fulcrum; ignored");
    }
  }

  private void retryOn(Line l, Proxy p) {
    Set<String> known =
        Set.of("none", "conn-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected",
            "all-retryable-errors", "401", "403", "404", "408", "425", "500", "501", "502", "503", "504");
    List<String> on = new ArrayList<>();
    for (int i = 1; i < l.size(); i++) {
      String w = l.word(i);
      if (!known.contains(w)) {
        throw new CfgException(l.where() + ": unknown retry-on keyword '" + w + "'");
      }
      if (w.equals("all-retryable-errors")) {
        on.addAll(List.of("conn-failure", "empty-response", "junk-response", "response-timeout", "0rtt-rejected",
            "500", "502", "503", "504"));
      } else if (!w.equals("none")) {
        on.add(w);
      }
    }
    if (l.size() < 2) {
      throw new CfgException(l.where() + ": 'retry-on' expects at least one keyword");
    }
    p.retryOn = List.copyOf(on);
  }

  private void timeout(Line l, Proxy p) {
    String which = need(l, 1);
    long t = time(l, 2);
    switch (which) {
      case "connect":
        p.timeoutConnect = t;
        break;
      case "client":
        p.timeoutClient = t;
        break;
      case "server":
        p.timeoutServer = t;
        break;
      case "tunnel":
        p.timeoutTunnel = t;
        break;
      case "queue":
        p.timeoutQueue = t;
        break;
      case "check":
        p.timeoutCheck = t;
        break;
      case "http-request":
        p.timeoutHttpRequest = t;
        break;
      case "http-keep-alive":
        p.timeoutHttpKeepAlive = t;
        break;
      case "client-fin":
      case "server-fin":
      case "tarpit":
        warn(l, "'timeout " + which + "' is not implemented by Fulcrum; ignored");
        break;
      default:
        throw new CfgException(l.where() + ": unknown timeout '" + which + "'");
    }
  }

  private void stats(Line l, Proxy p) {
    switch (l.word(1)) {
      case "uri":
        p.statsUri = need(l, 2);
        p.statsEnabled = true;
        break;
      case "enable":
        p.statsEnabled = true;
        if (p.statsUri == null) {
          p.statsUri = "/haproxy?stats";
        }
        break;
      case "refresh":
        p.statsRefresh = (int) (time(l, 2) / 1000);
        break;
      case "show-legends":
        p.statsShowLegends = true;
        break;
      case "socket":
        throw new CfgException(l.where() + ": 'stats socket' belongs in the 'global' section");
      default:
        warn(l, "'stats " + l.word(1) + "' is not implemented by Fulcrum; ignored");
    }
  }

  private void httpCheck(Line l, Proxy p) {
    switch (l.word(1)) {
      case "expect":
        {
          int i = 2;
          boolean neg = false;
          if (l.word(i).equals("!")) {
            neg = true;
            i++;
          }
          if (!l.word(i).equals("status")) {
            warn(l, "'http-check expect " + l.word(i) + "' is not implemented by Fulcrum; only 'status' is; ignored");
            return;
          }
          List<int[]> ranges = new ArrayList<>();
          for (String part : need(l, i + 1).split(",")) {
            String[] r = part.split("-");
            try {
              int lo = Integer.parseInt(r[0]);
              int hi = r.length > 1 ? Integer.parseInt(r[1]) : lo;
              ranges.add(new int[] {lo, hi});
            } catch (NumberFormatException e) {
              throw new CfgException(l.where() + ": invalid status '" + part + "' in 'http-check expect status'");
            }
          }
          p.expectStatus = ranges;
          p.expectNegated = neg;
          return;
        }
      case "send":
        for (int i = 2; i < l.size(); i++) {
          switch (l.word(i)) {
            case "meth":
              p.checkMethod = need(l, ++i);
              break;
            case "uri":
              p.checkUri = need(l, ++i);
              break;
            case "ver":
              p.checkVersion = need(l, ++i);
              break;
            case "hdr":
              p.checkHeaders.add(new String[] {need(l, i + 1), need(l, i + 2)});
              i += 2;
              break;
            default:
              warn(l, "'http-check send " + l.word(i) + "' is not implemented by Fulcrum; ignored");
          }
        }
        return;
      case "disable-on-404":
        p.disableOn404 = true;
        return;
      default:
        warn(l, "'http-check " + l.word(1) + "' is not implemented by Fulcrum; ignored");
    }
  }

  // --------------------------------------------------------------------- ACLs

  private static final Set<String> FETCHES =
      Set.of("path", "path_beg", "path_end", "path_sub", "path_reg", "path_dir", "hdr", "hdr_beg", "hdr_end",
          "hdr_sub", "hdr_reg", "hdr_dom", "method", "src", "dst", "dst_port", "url", "url_beg", "always_true",
          "always_false");

  private AclTerm acl(Line l, int from, int to) {
    if (from >= to) {
      throw new CfgException(l.where() + ": missing ACL criterion");
    }
    String fetch = l.word(from);
    String arg = null;
    int paren = fetch.indexOf('(');
    if (paren > 0) {
      if (!fetch.endsWith(")")) {
        throw new CfgException(l.where() + ": missing closing ')' in '" + fetch + "'");
      }
      arg = fetch.substring(paren + 1, fetch.length() - 1);
      fetch = fetch.substring(0, paren);
    }
    if (!FETCHES.contains(fetch)) {
      throw new CfgException(
          l.where() + ": ACL criterion '" + l.word(from) + "' is not supported by Fulcrum (supported: "
              + String.join(", ", new java.util.TreeSet<>(FETCHES)) + ")");
    }
    boolean ignoreCase = false;
    String match = null;
    int i = from + 1;
    while (i < to && l.word(i).startsWith("-")) {
      String f = l.word(i);
      if (f.equals("-i")) {
        ignoreCase = true;
      } else if (f.equals("-m")) {
        match = need(l, ++i);
      } else if (f.equals("--")) {
        i++;
        break;
      } else {
        throw new CfgException(l.where() + ": ACL flag '" + f + "' is not supported by Fulcrum");
      }
      i++;
    }
    List<String> values = new ArrayList<>(l.words().subList(i, to));
    if (values.isEmpty() && !fetch.startsWith("always")) {
      throw new CfgException(l.where() + ": ACL '" + l.word(from) + "' needs at least one value");
    }
    return new AclTerm(fetch, arg, match, ignoreCase, values);
  }

  /** {@code if|unless} followed by ACL names, {@code !name}, {@code or}, {@code { anonymous acl }}. */
  private Condition condition(Line l, int from) {
    if (from >= l.size()) {
      return null;
    }
    String kw = l.word(from);
    if (!kw.equals("if") && !kw.equals("unless")) {
      throw new CfgException(l.where() + ": expected 'if' or 'unless' after the backend name, got '" + kw + "'");
    }
    List<List<CondTerm>> groups = new ArrayList<>();
    List<CondTerm> group = new ArrayList<>();
    for (int i = from + 1; i < l.size(); i++) {
      String w = l.word(i);
      if (w.equals("or") || w.equals("||")) {
        if (group.isEmpty()) {
          throw new CfgException(l.where() + ": 'or' without a preceding ACL");
        }
        groups.add(group);
        group = new ArrayList<>();
        continue;
      }
      boolean neg = false;
      if (w.startsWith("!")) {
        neg = true;
        w = w.substring(1);
        if (w.isEmpty()) {
          w = need(l, ++i);
        }
      }
      if (w.equals("{")) {
        int close = i + 1;
        while (close < l.size() && !l.word(close).equals("}")) {
          close++;
        }
        if (close == l.size()) {
          throw new CfgException(l.where() + ": missing '}' in anonymous ACL");
        }
        group.add(new CondTerm(neg, null, acl(l, i + 1, close)));
        i = close;
      } else {
        group.add(new CondTerm(neg, w, null));
      }
    }
    if (group.isEmpty()) {
      throw new CfgException(l.where() + ": missing condition after '" + kw + "'");
    }
    groups.add(group);
    return new Condition(kw.equals("unless"), groups);
  }

  // -------------------------------------------------------------------- checks

  /** Proxy and server ids, and references between proxies. */
  private void assignIds() {
    // The CLI's internal proxy takes id 0 and shifts numbering when a stats socket exists, as in
    // HAProxy (first user proxy iid 2).
    Set<Integer> taken = new HashSet<>();
    for (Proxy p : config.proxies) {
      if (p.id > 0 && !taken.add(p.id)) {
        throw new CfgException(p.where + ": proxy id " + p.id + " is already used");
      }
    }
    int next = config.global.statsSockets.isEmpty() ? 1 : 2;
    for (Proxy p : config.proxies) {
      if (p.id == 0) {
        while (taken.contains(next)) {
          next++;
        }
        p.id = next;
        taken.add(next);
      }
      Set<Integer> sids = new HashSet<>();
      for (Server s : p.servers) {
        if (s.id > 0 && !sids.add(s.id)) {
          throw new CfgException(s.where + ": server id " + s.id + " is already used in '" + p.name + "'");
        }
      }
      int sid = 1;
      for (Server s : p.servers) {
        if (s.id == 0) {
          while (sids.contains(sid)) {
            sid++;
          }
          s.id = sid;
          sids.add(sid);
        }
      }
    }
  }

  private void check() {
    for (Proxy p : config.proxies) {
      if (p.isFrontend() && p.binds.isEmpty()) {
        throw new CfgException(p.where + ": " + p.kind.name().toLowerCase(Locale.ROOT) + " '" + p.name + "' has no 'bind' directive");
      }
      checkBackendRef(p, p.defaultBackend, p.defaultBackendWhere);
      for (HaproxyConfig.UseBackend u : p.useBackends) {
        checkBackendRef(p, u.backend(), u.where());
        if (u.condition() != null) {
          for (List<CondTerm> g : u.condition().orGroups()) {
            for (CondTerm t : g) {
              if (t.aclName() != null && !p.acls.containsKey(t.aclName())) {
                throw new CfgException(u.where() + ": no such ACL : '" + t.aclName() + "'");
              }
            }
          }
        }
      }
      if (p.isFrontend() && !p.http()) {
        for (HaproxyConfig.UseBackend u : p.useBackends) {
          if (u.condition() != null && needsHttp(p, u.condition())) {
            config.warnings.add(
                u.where() + ": this 'use_backend' rule will never match in a tcp frontend: its condition needs HTTP ('mode http')");
          }
        }
      }
      List<String> missing = new ArrayList<>();
      if (p.isFrontend() && p.timeoutClient == 0) {
        missing.add("client");
      }
      if (p.isBackend() && p.timeoutConnect == 0) {
        missing.add("connect");
      }
      if (p.isBackend() && p.timeoutServer == 0) {
        missing.add("server");
      }
      if (!missing.isEmpty()) {
        config.warnings.add(
            p.where + ": missing timeouts for " + p.kind.name().toLowerCase(Locale.ROOT) + " '" + p.name
                + "' (" + String.join(", ", missing) + "); while not properly invalid, you will certainly encounter"
                + " various problems with such a configuration (a zero timeout waits forever)");
      }
    }
  }

  /** Whether a condition reads HTTP (all fetches but src, dst, dst_port and always_*). */
  private static boolean needsHttp(Proxy p, Condition c) {
    for (List<CondTerm> g : c.orGroups()) {
      for (CondTerm t : g) {
        List<AclTerm> terms = t.anonymous() != null ? List.of(t.anonymous()) : p.acls.get(t.aclName());
        for (AclTerm a : terms) {
          if (!Set.of("src", "dst", "dst_port", "always_true", "always_false").contains(a.fetch())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private void checkBackendRef(Proxy from, String name, String where) {
    if (name == null) {
      return;
    }
    Proxy b = config.proxy(name);
    if (b == null || !b.isBackend()) {
      throw new CfgException(where + ": unable to find required backend '" + name + "' for '" + from.name + "'");
    }
    if (from.http() != b.http()) {
      throw new CfgException(
          where + ": unable to use " + b.mode + " backend '" + name + "' in " + from.mode + " frontend '" + from.name + "'");
    }
  }

  // ------------------------------------------------------------------ values

  private static String need(Line l, int i) {
    if (i >= l.size()) {
      throw new CfgException(l.where() + ": '" + String.join(" ", l.words()) + "' expects an argument");
    }
    return l.word(i);
  }

  private static int integer(Line l, int i) {
    String v = need(l, i);
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new CfgException(l.where() + ": '" + l.word(0) + "' expects a positive integer, got '" + v + "'");
    }
  }

  private static int positive(Line l, int i) {
    int n = integer(l, i);
    if (n == 0) {
      throw new CfgException(l.where() + ": '" + l.word(i - 1) + "' must be greater than 0");
    }
    return n;
  }

  /** HAProxy time: a number with an optional unit (us, ms, s, m, h, d); milliseconds by default. */
  static long time(Line l, int i) {
    String v = need(l, i);
    int n = 0;
    while (n < v.length() && Character.isDigit(v.charAt(n))) {
      n++;
    }
    if (n == 0) {
      throw new CfgException(l.where() + ": invalid time '" + v + "' (expected a number with an optional unit: us, ms, s, m, h, d)");
    }
    long value = Long.parseLong(v.substring(0, n));
    switch (v.substring(n)) {
      case "":
      case "ms":
        return value;
      case "us":
        return Math.max(value / 1000, value > 0 ? 1 : 0);
      case "s":
        return value * 1000;
      case "m":
        return value * 60_000;
      case "h":
        return value * 3_600_000;
      case "d":
        return value * 86_400_000;
      default:
        throw new CfgException(l.where() + ": invalid time unit in '" + v + "' (expected us, ms, s, m, h or d)");
    }
  }
}
