package dev.fulcrum.haproxy;

import static dev.fulcrum.haproxy.CfgValues.integer;
import static dev.fulcrum.haproxy.CfgValues.need;
import static dev.fulcrum.haproxy.CfgValues.port;
import static dev.fulcrum.haproxy.CfgValues.positive;
import static dev.fulcrum.haproxy.CfgValues.time;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import java.util.Set;
import java.util.function.BiConsumer;

/** {@code server} and {@code default-server} lines. */
final class ServerParser {
  private ServerParser() {}

  static void server(Line l, Proxy p, BiConsumer<Line, String> warn) {
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
    params(l, s, 3, warn);
    p.servers.add(s);
  }

  /** Server settings from word {@code from} on (also what {@code default-server} sets). */
  static void params(Line l, Server s, int from, BiConsumer<Line, String> warn) {
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
          s.ssl = true;
          break;
        case "no-ssl":
          s.ssl = false;
          break;
        case "check-ssl":
          s.checkSsl = true;
          break;
        case "no-check-ssl":
          s.checkSsl = false;
          break;
        case "verify":
          {
            String v = need(l, ++i);
            if (!v.equals("none") && !v.equals("required")) {
              throw new CfgException(l.where() + ": 'verify' expects 'none' or 'required' (got '" + v + "')");
            }
            s.verify = v.equals("required");
            break;
          }
        case "ca-file":
          s.caFile = need(l, ++i);
          break;
        case "crt":
          s.crt = need(l, ++i);
          break;
        case "sni":
          s.sni = need(l, ++i);
          ServerTls.sniMode(l.where(), s.sni);
          break;
        case "check-sni":
          s.checkSni = need(l, ++i);
          break;
        default:
          if (Set.of("cookie", "resolvers", "init-addr", "observe", "error-limit", "on-error", "on-marked-up",
                  "agent-check", "agent-port", "agent-inter", "agent-send", "track", "resolve-prefer", "pool-max-conn",
                  "pool-purge-delay", "minconn", "redir", "source", "alpn", "proto")
              .contains(w)) {
            warn.accept(l, "server option '" + w + "' is not implemented by Fulcrum; ignored");
            if (!Set.of("agent-check").contains(w) && i + 1 < l.size()) {
              i++;
            }
          } else {
            throw new CfgException(l.where() + ": unknown keyword '" + w + "' on server line");
          }
      }
    }
  }
}
