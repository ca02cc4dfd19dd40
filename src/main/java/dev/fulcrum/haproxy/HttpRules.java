package dev.fulcrum.haproxy;

import static dev.fulcrum.haproxy.CfgValues.need;

import dev.fulcrum.haproxy.CfgReader.Line;
import dev.fulcrum.haproxy.HaproxyConfig.Condition;
import dev.fulcrum.haproxy.HaproxyConfig.HttpRule;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.plugin.rules.Template;
import dev.fulcrum.proxy.http.HaproxyErrors;
import java.util.function.BiConsumer;

/**
 * {@code http-request} and {@code http-response} lines (cfg §4.2): {@code deny [deny_status
 * <code>]}, {@code set-header}, {@code add-header} and {@code del-header}, each with an optional
 * {@code if|unless} condition. Other actions are warned about and ignored, as other keywords
 * Fulcrum does not implement are.
 */
final class HttpRules {
  private HttpRules() {}

  static void parse(Line l, Proxy p, BiConsumer<Line, String> warn) {
    boolean response = l.word(0).equals("http-response");
    if (p.kind == Proxy.Kind.DEFAULTS) {
      throw new CfgException(l.where() + ": '" + l.word(0) + "' not allowed in 'defaults' section");
    }
    String action = need(l, 1);
    int end = conditionAt(l);
    Condition condition = end < l.size() ? AclParser.condition(l, end) : null;
    HttpRule rule;
    switch (action) {
      case "deny":
        if (response) {
          warn.accept(l, "'http-response deny' is not implemented by Fulcrum; ignored");
          return;
        }
        rule = new HttpRule(action, null, null, denyStatus(l, end), condition, l.where());
        break;
      case "set-header":
      case "add-header":
        {
          if (end != 4) {
            throw new CfgException(l.where() + ": '" + l.word(0) + " " + action + "' expects <name> <fmt> [ { if | unless }"
                + " <condition> ]");
          }
          try {
            Template.parse(l.word(3));
          } catch (IllegalArgumentException e) {
            throw new CfgException(l.where() + ": " + e.getMessage());
          }
          rule = new HttpRule(action, l.word(2), l.word(3), 0, condition, l.where());
          break;
        }
      case "del-header":
        if (end != 3) {
          throw new CfgException(l.where() + ": '" + l.word(0) + " del-header' expects <name> [ { if | unless }"
              + " <condition> ]");
        }
        rule = new HttpRule(action, l.word(2), null, 0, condition, l.where());
        break;
      default:
        warn.accept(l, "'" + l.word(0) + " " + action + "' is not implemented by Fulcrum; ignored");
        return;
    }
    (response ? p.httpResponseRules : p.httpRequestRules).add(rule);
  }

  /** Where {@code if} or {@code unless} starts, or the line's length. */
  private static int conditionAt(Line l) {
    for (int i = 2; i < l.size(); i++) {
      if (l.word(i).equals("if") || l.word(i).equals("unless")) {
        return i;
      }
    }
    return l.size();
  }

  /** {@code deny_status <code>}: a status HAProxy has an error page for; 403 by default. */
  private static int denyStatus(Line l, int end) {
    if (end == 2) {
      return 403;
    }
    if (end != 4 || !l.word(2).equals("deny_status")) {
      throw new CfgException(l.where() + ": 'http-request deny' expects [ deny_status <status> ] [ { if | unless }"
          + " <condition> ], got '" + l.word(2) + "'");
    }
    try {
      int s = Integer.parseInt(l.word(3));
      if (HaproxyErrors.hasPage(s)) {
        return s;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new CfgException(l.where() + ": deny_status: '" + l.word(3) + "' has no error page (expected one of 200, 400,"
        + " 403, 404, 405, 408, 410, 421, 425, 429, 500, 502, 503, 504)");
  }
}
