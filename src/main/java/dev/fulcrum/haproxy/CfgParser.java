package dev.fulcrum.haproxy;

import static dev.fulcrum.haproxy.CfgValues.hostPort;
import static dev.fulcrum.haproxy.CfgValues.integer;
import static dev.fulcrum.haproxy.CfgValues.need;
import static dev.fulcrum.haproxy.CfgValues.port;
import static dev.fulcrum.haproxy.CfgValues.positive;
import static dev.fulcrum.haproxy.CfgValues.time;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.haproxy.CfgReader.Section;
import dev.fulcrum.haproxy.HaproxyConfig.Bind;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
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
    CfgValidation.assignIds(config);
    CfgValidation.check(config);
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
        case "ssl-server-verify":
          {
            String v = need(l, 1);
            if (!v.equals("none") && !v.equals("required")) {
              throw new CfgException(l.where() + ": 'ssl-server-verify' expects 'none' or 'required' (got '" + v + "')");
            }
            config.global.sslServerVerify = v.equals("required");
            break;
          }
        case "ca-base":
          config.global.caBase = need(l, 1);
          break;
        case "crt-base":
          config.global.crtBase = need(l, 1);
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
      try {
        return new HaproxyConfig.StatsSocket(null, 0, Path.of(addr), level, l.where());
      } catch (java.nio.file.InvalidPathException e) {
        throw new CfgException(l.where() + ": stats socket path '" + addr + "' is not a valid path (" + e.getReason() + ")");
      }
    }
    String[] hp = hostPort(l, addr);
    return new HaproxyConfig.StatsSocket(hp[0], port(l, hp[1]), null, level, l.where());
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
        p.useBackends.add(new HaproxyConfig.UseBackend(need(l, 1), AclParser.condition(l, 2), l.where()));
        return;
      case "acl":
        p.acls.computeIfAbsent(need(l, 1), x -> new ArrayList<>()).add(AclParser.acl(l, 2, l.size()));
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
        ServerParser.server(l, p, this::warn);
        return;
      case "default-server":
        ServerParser.params(l, p.defaultServer, 1, this::warn);
        return;
      case "option":
      case "no":
        ProxyOptions.option(l, p, this::warn);
        return;
      case "retries":
        p.retries = integer(l, 1);
        return;
      case "retry-on":
        ProxyOptions.retryOn(l, p, this::warn);
        return;
      case "timeout":
        ProxyOptions.timeout(l, p, this::warn);
        return;
      case "maxconn":
        p.maxconn = integer(l, 1);
        return;
      case "fullconn":
        p.fullconn = integer(l, 1);
        return;
      case "stats":
        ProxyOptions.stats(l, p, this::warn);
        return;
      case "http-check":
        ProxyOptions.httpCheck(l, p, this::warn);
        return;
      case "http-request":
      case "http-response":
        HttpRules.parse(l, p, this::warn);
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

  /** {@code balance}, checked the way HAProxy's backend_parse_balance does. */
  private void balance(Line l, Proxy p) {
    String algo = need(l, 1);
    int paren = algo.indexOf('(');
    String base = paren < 0 ? algo : algo.substring(0, paren);
    String inside = paren < 0 || !algo.endsWith(")") ? null : algo.substring(paren + 1, algo.length() - 1);
    List<String> args = l.words().subList(2, l.size());
    switch (base) {
      case "roundrobin":
      case "static-rr":
      case "leastconn":
      case "first":
      case "source":
        p.balance = HaproxyConfig.Balance.of(Algorithm.ofHaproxy(base));
        return;
      case "random":
        p.balance = new HaproxyConfig.Balance(Algorithm.RANDOM, null, randomDraws(l, algo, paren, inside), false, 0, 0, false);
        return;
      case "uri":
        p.balance = uriBalance(l);
        return;
      case "url_param":
        if (args.isEmpty()) {
          throw new CfgException(l.where() + ": 'balance url_param' requires an URL parameter name");
        }
        if (args.size() > 1 && !args.get(1).equals("check_post")) {
          throw new CfgException(l.where() + ": url_param only accepts 'check_post' modifier (got '" + args.get(1) + "')");
        }
        p.balance = new HaproxyConfig.Balance(Algorithm.URL_PARAM, args.get(0), 2, false, 0, 0, false);
        return;
      case "hdr":
        if (inside == null || inside.isEmpty()) {
          throw new CfgException(l.where() + ": hdr requires a header name, as in 'balance hdr(Host)'");
        }
        if (!args.isEmpty() && !args.get(0).equals("use_domain_only")) {
          throw new CfgException(l.where() + ": hdr only accepts 'use_domain_only' modifier (got '" + args.get(0) + "')");
        }
        p.balance = new HaproxyConfig.Balance(Algorithm.HDR, inside, 2, false, 0, 0, !args.isEmpty());
        return;
      default:
        throw new CfgException(
            l.where() + ": unknown load balancing algorithm '" + algo
                + "' (supported: roundrobin, static-rr, leastconn, first, source, uri, url_param, hdr(<name>), random)");
    }
  }

  private static int randomDraws(Line l, String algo, int paren, String inside) {
    if (paren < 0) {
      return 2;
    }
    if (inside == null) {
      throw new CfgException(l.where() + ": random : missing closing parenthesis in '" + algo + "'");
    }
    try {
      int draws = Integer.parseInt(inside);
      if (draws >= 1) {
        return draws;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CfgException(l.where() + ": random : number of draws must be at least 1 (got '" + inside + "')");
  }

  private static HaproxyConfig.Balance uriBalance(Line l) {
    boolean whole = false;
    int len = 0;
    int depth = 0;
    for (int i = 2; i < l.size(); i++) {
      switch (l.word(i)) {
        case "whole":
          whole = true;
          break;
        case "path-only":
          // The L7 proxy hands over origin-form URIs already.
          break;
        case "len":
          len = positive(l, ++i);
          break;
        case "depth":
          depth = positive(l, ++i);
          break;
        default:
          throw new CfgException(
              l.where() + ": uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got '" + l.word(i) + "')");
      }
    }
    return new HaproxyConfig.Balance(Algorithm.URI, null, 2, whole, len, depth, false);
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
}
