package dev.fulcrum.plugin.proxycache;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A content type as proxy-cache compares them: type and subtype ({@code *} matches any) and the
 * exact set of parameters, so {@code application/json; charset=utf-8} is not {@code
 * application/json}, as in Kong.
 */
record MediaType(String type, String subtype, Map<String, String> params) {
  static MediaType parse(String text) {
    String[] parts = text.split(";");
    String full = parts[0].trim().toLowerCase(Locale.ROOT);
    int slash = full.indexOf('/');
    String type = slash < 0 ? full : full.substring(0, slash);
    String subtype = slash < 0 ? "*" : full.substring(slash + 1);
    Map<String, String> params = new TreeMap<>();
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      int eq = p.indexOf('=');
      if (eq > 0) {
        params.put(p.substring(0, eq).trim().toLowerCase(Locale.ROOT), p.substring(eq + 1).trim());
      }
    }
    return new MediaType(type, subtype, params);
  }

  /** Whether a response of type {@code actual} matches this configured type. */
  boolean accepts(MediaType actual) {
    return (type.equals("*") || type.equals(actual.type))
        && (subtype.equals("*") || subtype.equals(actual.subtype))
        && params.equals(actual.params);
  }
}
