package dev.fulcrum.admin;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Path templates of the Admin API ({@code /services/{service}/routes}) and the handlers per
 * method. A request path matches the template with the most literal segments among those that
 * fit, so {@code /upstreams/u/targets/all} beats {@code /upstreams/u/targets/{target}}.
 */
final class Paths {
  @FunctionalInterface
  interface Handler {
    AdminResponse handle(AdminRequest request, Map<String, String> params);
  }

  record Match(Template template, Map<String, String> params) {}

  static final class Template {
    final String text;
    final String[] segments;
    final Map<String, Handler> methods = new LinkedHashMap<>();
    final int literals;

    Template(String text) {
      this.text = text;
      this.segments = split(text);
      int n = 0;
      for (String s : segments) {
        if (!s.startsWith("{")) {
          n++;
        }
      }
      this.literals = n;
    }

    /** Methods it answers, HEAD and OPTIONS included, sorted (for Allow). */
    String allow() {
      TreeSet<String> all = new TreeSet<>(methods.keySet());
      if (all.contains("GET")) {
        all.add("HEAD");
      }
      all.add("OPTIONS");
      return String.join(", ", all);
    }
  }

  private final List<Template> templates = new ArrayList<>();

  Paths on(String method, String template, Handler handler) {
    Template t = templates.stream().filter(x -> x.text.equals(template)).findFirst().orElse(null);
    if (t == null) {
      t = new Template(template);
      templates.add(t);
      templates.sort(Comparator.comparingInt((Template x) -> -x.literals));
    }
    t.methods.put(method, handler);
    return this;
  }

  Match match(String path) {
    String[] parts = split(path);
    for (Template t : templates) {
      if (t.segments.length != parts.length) {
        continue;
      }
      Map<String, String> params = new HashMap<>();
      boolean ok = true;
      for (int i = 0; i < parts.length && ok; i++) {
        String seg = t.segments[i];
        if (seg.startsWith("{")) {
          params.put(seg.substring(1, seg.length() - 1), QueryStringDecoder.decodeComponent(parts[i]));
        } else {
          ok = seg.equals(parts[i]);
        }
      }
      if (ok) {
        return new Match(t, params);
      }
    }
    return null;
  }

  List<String> all() {
    List<String> out = new ArrayList<>();
    for (Template t : templates) {
      out.add(t.text);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** Segments of a path; a trailing slash is ignored, as in Kong. */
  private static String[] split(String path) {
    String p = path;
    while (p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.equals("/") || p.isEmpty()) {
      return new String[0];
    }
    return (p.startsWith("/") ? p.substring(1) : p).split("/", -1);
  }
}
