package dev.fulcrum.haproxy;

import static dev.fulcrum.haproxy.CfgValues.integer;
import static dev.fulcrum.haproxy.CfgValues.need;
import static dev.fulcrum.haproxy.CfgValues.time;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/** A proxy's {@code option}, {@code retry-on}, {@code timeout}, {@code stats} and {@code http-check} lines. */
final class ProxyOptions {
  private ProxyOptions() {}

  static void option(Line l, Proxy p, BiConsumer<Line, String> warn) {
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
        warn.accept(l, "'option " + o + "' is not implemented by Fulcrum (no splice(2): bytes go through pooled"
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
        warn.accept(l, "'option " + o + "' has no effect: Fulcrum sends no traffic logs (log targets are ignored)");
        return;
      case "http-keep-alive":
        // HAProxy's default HTTP mode, and the only one Fulcrum's L7 proxy runs.
        return;
      default:
        warn.accept(l, "'option " + o + "' is not implemented by Fulcrum; ignored");
    }
  }

  static void retryOn(Line l, Proxy p, BiConsumer<Line, String> warn) {
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

  static void timeout(Line l, Proxy p, BiConsumer<Line, String> warn) {
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
        warn.accept(l, "'timeout " + which + "' is not implemented by Fulcrum; ignored");
        break;
      default:
        throw new CfgException(l.where() + ": unknown timeout '" + which + "'");
    }
  }

  static void stats(Line l, Proxy p, BiConsumer<Line, String> warn) {
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
        warn.accept(l, "'stats " + l.word(1) + "' is not implemented by Fulcrum; ignored");
    }
  }

  static void httpCheck(Line l, Proxy p, BiConsumer<Line, String> warn) {
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
            warn.accept(l, "'http-check expect " + l.word(i) + "' is not implemented by Fulcrum; only 'status' is; ignored");
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
              warn.accept(l, "'http-check send " + l.word(i) + "' is not implemented by Fulcrum; ignored");
          }
        }
        return;
      case "disable-on-404":
        p.disableOn404 = true;
        return;
      default:
        warn.accept(l, "'http-check " + l.word(1) + "' is not implemented by Fulcrum; ignored");
    }
  }
}
