package dev.fulcrum.haproxy;

import static dev.fulcrum.haproxy.CfgValues.need;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.haproxy.HaproxyConfig.AclTerm;
import dev.fulcrum.haproxy.HaproxyConfig.CondTerm;
import dev.fulcrum.haproxy.HaproxyConfig.Condition;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** ACL lines ({@code acl name criterion [flags] values}) and {@code if|unless} conditions. */
final class AclParser {
  private AclParser() {}

  private static final Set<String> FETCHES =
      Set.of("path", "path_beg", "path_end", "path_sub", "path_reg", "path_dir", "hdr", "hdr_beg", "hdr_end",
          "hdr_sub", "hdr_reg", "hdr_dom", "method", "src", "dst", "dst_port", "url", "url_beg", "always_true",
          "always_false");

  static AclTerm acl(Line l, int from, int to) {
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
  static Condition condition(Line l, int from) {
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


  /** Whether a condition reads HTTP (all fetches but src, dst, dst_port and always_*). */
  static boolean needsHttp(Proxy p, Condition c) {
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
}
