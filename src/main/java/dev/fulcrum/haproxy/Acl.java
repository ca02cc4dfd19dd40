package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.AclTerm;
import dev.fulcrum.haproxy.HaproxyConfig.CondTerm;
import dev.fulcrum.haproxy.HaproxyConfig.Condition;
import dev.fulcrum.model.IpBlock;
import dev.fulcrum.router.RequestFacts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * ACLs compiled into predicates (cfg §7): a condition is an OR of AND-groups of terms, a named ACL
 * is the OR of its lines, a line matches when any of its values does. Fetches that read HTTP never
 * match outside HTTP, as in HAProxy's tcp frontends.
 */
final class Acl {
  private Acl() {}

  static Predicate<RequestFacts> compile(Condition c, Map<String, List<AclTerm>> acls) {
    if (c == null) {
      return f -> true;
    }
    List<Predicate<RequestFacts>> groups = new ArrayList<>();
    for (List<CondTerm> g : c.orGroups()) {
      List<Predicate<RequestFacts>> terms = new ArrayList<>();
      for (CondTerm t : g) {
        Predicate<RequestFacts> p = t.anonymous() != null ? term(t.anonymous()) : named(acls.get(t.aclName()));
        terms.add(t.negated() ? p.negate() : p);
      }
      groups.add(f -> {
        for (Predicate<RequestFacts> p : terms) {
          if (!p.test(f)) {
            return false;
          }
        }
        return true;
      });
    }
    Predicate<RequestFacts> any = f -> {
      for (Predicate<RequestFacts> p : groups) {
        if (p.test(f)) {
          return true;
        }
      }
      return false;
    };
    return c.unless() ? any.negate() : any;
  }

  private static Predicate<RequestFacts> named(List<AclTerm> lines) {
    List<Predicate<RequestFacts>> ps = new ArrayList<>();
    for (AclTerm t : lines) {
      ps.add(term(t));
    }
    return f -> {
      for (Predicate<RequestFacts> p : ps) {
        if (p.test(f)) {
          return true;
        }
      }
      return false;
    };
  }

  /** One ACL line: a fetch, an optional match method, values. */
  static Predicate<RequestFacts> term(AclTerm t) {
    switch (t.fetch()) {
      case "always_true":
        return f -> true;
      case "always_false":
        return f -> false;
      case "src":
        return addressMatch(t.values(), RequestFacts::client);
      case "dst":
        return addressMatch(t.values(), RequestFacts::local);
      case "dst_port":
        return portMatch(t.values());
      default:
        break;
    }
    String fetch = t.fetch();
    String base = fetch;
    String method = t.match();
    int us = fetch.indexOf('_');
    if (us > 0) {
      base = fetch.substring(0, us);
      if (method == null) {
        method = fetch.substring(us + 1);
      }
    }
    if (method == null) {
      method = "str";
    }
    Predicate<String> value = matcher(method, t.values(), t.ignoreCase());
    switch (base) {
      case "path":
        return f -> f.http() && value.test(f.rawPath());
      case "url":
        return f -> f.http() && value.test(f.uri());
      case "method":
        return f -> f.http() && value.test(f.method());
      case "hdr":
        {
          String name = t.arg() == null ? "" : t.arg();
          return f -> {
            if (!f.http()) {
              return false;
            }
            for (String v : f.header(name)) {
              if (value.test(v)) {
                return true;
              }
            }
            return false;
          };
        }
      default:
        throw new IllegalArgumentException("fetch " + fetch);
    }
  }

  /** HAProxy's pattern match methods (-m str|beg|end|sub|reg|dom|dir|found). */
  static Predicate<String> matcher(String method, List<String> values, boolean ignoreCase) {
    List<String> vs = new ArrayList<>();
    for (String v : values) {
      vs.add(ignoreCase ? v.toLowerCase(Locale.ROOT) : v);
    }
    switch (method) {
      case "found":
        return s -> s != null;
      case "reg":
        {
          List<Pattern> ps = new ArrayList<>();
          for (String v : values) {
            ps.add(Pattern.compile(v, ignoreCase ? Pattern.CASE_INSENSITIVE : 0));
          }
          return s -> s != null && ps.stream().anyMatch(p -> p.matcher(s).find());
        }
      default:
        break;
    }
    return s -> {
      if (s == null) {
        return false;
      }
      String x = ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
      for (String v : vs) {
        boolean hit;
        switch (method) {
          case "beg":
            hit = x.startsWith(v);
            break;
          case "end":
            hit = x.endsWith(v);
            break;
          case "sub":
            hit = x.contains(v);
            break;
          case "dom":
            hit = delimited(x, v, '.');
            break;
          case "dir":
            hit = delimited(x, v, '/');
            break;
          default:
            hit = x.equals(v);
        }
        if (hit) {
          return true;
        }
      }
      return false;
    };
  }

  /** Whether {@code v} appears in {@code s} as whole delimiter-separated words (-m dom, -m dir). */
  private static boolean delimited(String s, String v, char delimiter) {
    String d = String.valueOf(delimiter);
    String x = d + s + d;
    String y = v.startsWith(d) ? v : d + v;
    y = y.endsWith(d) ? y : y + d;
    return x.contains(y);
  }

  private interface AddressOf {
    InetSocketAddress of(RequestFacts f);
  }

  /** {@code src 10.0.0.0/8 192.168.1.1}: an IP or CIDR block per value. */
  private static Predicate<RequestFacts> addressMatch(List<String> values, AddressOf which) {
    IpBlock[] blocks = new IpBlock[values.size()];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = block(values.get(i));
    }
    return f -> {
      InetSocketAddress a = which.of(f);
      if (a == null) {
        return false;
      }
      byte[] x = a.getAddress().getAddress();
      for (IpBlock b : blocks) {
        if (b.contains(x)) {
          return true;
        }
      }
      return false;
    };
  }

  private static IpBlock block(String v) {
    try {
      return IpBlock.parse(v);
    } catch (IllegalArgumentException notAnAddress) {
      // HAProxy resolves a host name when it reads the file.
      try {
        byte[] a = InetAddress.getByName(v).getAddress();
        return new IpBlock(a, a.length * 8);
      } catch (UnknownHostException e) {
        throw new CfgException("invalid address '" + v + "' in ACL");
      }
    }
  }

  /** {@code dst_port 80 8000:8080}. */
  private static Predicate<RequestFacts> portMatch(List<String> values) {
    List<int[]> ranges = new ArrayList<>();
    for (String v : values) {
      String[] r = v.split(":");
      try {
        int lo = Integer.parseInt(r[0]);
        ranges.add(new int[] {lo, r.length > 1 ? Integer.parseInt(r[1]) : lo});
      } catch (NumberFormatException e) {
        throw new CfgException("invalid port '" + v + "' in ACL");
      }
    }
    return f -> {
      int p = f.local().getPort();
      for (int[] r : ranges) {
        if (p >= r[0] && p <= r[1]) {
          return true;
        }
      }
      return false;
    };
  }
}
