package dev.fulcrum.router;

import dev.fulcrum.model.Route;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** A route's methods, hosts and headers (everything but its path), compiled once. */
final class Conditions {
  final String[] methods;
  final HostPattern[] hosts;
  final HeaderPattern[] headers;

  private Conditions(String[] methods, HostPattern[] hosts, HeaderPattern[] headers) {
    this.methods = methods;
    this.hosts = hosts;
    this.headers = headers;
  }

  static Conditions of(Route r) {
    HostPattern[] hosts = r.hosts().stream().map(HostPattern::of).toArray(HostPattern[]::new);
    HeaderPattern[] headers = r.headers().entrySet().stream().map(HeaderPattern::of).toArray(HeaderPattern[]::new);
    return new Conditions(r.methods().toArray(new String[0]), hosts, headers);
  }

  /** Whether every host is a plain name (no wildcard): the route can be indexed by host. */
  boolean plainHosts() {
    if (hosts.length == 0) {
      return false;
    }
    for (HostPattern h : hosts) {
      if (h.kind != HostPattern.EXACT) {
        return false;
      }
    }
    return true;
  }

  boolean matches(String method, String host, int port, HttpHeaders requestHeaders) {
    if (methods.length > 0 && !contains(methods, method)) {
      return false;
    }
    if (hosts.length > 0) {
      boolean any = false;
      for (HostPattern h : hosts) {
        if (h.matches(host, port)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    for (HeaderPattern h : headers) {
      if (!h.matches(requestHeaders)) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(String[] values, String v) {
    for (String s : values) {
      if (s.equals(v)) {
        return true;
      }
    }
    return false;
  }

  /** {@code example.com}, {@code *.example.com}, {@code example.*}, each with an optional port. */
  static final class HostPattern {
    static final int EXACT = 0;
    static final int SUFFIX = 1;
    static final int PREFIX = 2;

    final String text;
    final int kind;
    final int port;

    private HostPattern(String text, int kind, int port) {
      this.text = text;
      this.kind = kind;
      this.port = port;
    }

    static HostPattern of(String spec) {
      String s = spec.toLowerCase(Locale.ROOT);
      int port = -1;
      int colon = s.lastIndexOf(':');
      if (colon > 0 && s.indexOf(']') < colon && s.substring(colon + 1).matches("\\d+")) {
        port = Integer.parseInt(s.substring(colon + 1));
        s = s.substring(0, colon);
      }
      if (s.startsWith("*")) {
        return new HostPattern(s.substring(1), SUFFIX, port);
      }
      if (s.endsWith("*")) {
        return new HostPattern(s.substring(0, s.length() - 1), PREFIX, port);
      }
      return new HostPattern(s, EXACT, port);
    }

    boolean matches(String host, int requestPort) {
      if (port >= 0 && port != requestPort) {
        return false;
      }
      switch (kind) {
        case EXACT:
          return host.equals(text);
        case SUFFIX:
          return host.endsWith(text);
        default:
          return host.startsWith(text);
      }
    }
  }

  /** A header that must have one of the given values (case-insensitive), or match a {@code ~*} regex. */
  static final class HeaderPattern {
    final String name;
    final String[] values;
    final Pattern[] regexes;

    private HeaderPattern(String name, String[] values, Pattern[] regexes) {
      this.name = name;
      this.values = values;
      this.regexes = regexes;
    }

    static HeaderPattern of(Map.Entry<String, List<String>> e) {
      List<String> plain = new ArrayList<>();
      List<Pattern> regexes = new ArrayList<>();
      for (String v : e.getValue()) {
        if (v.startsWith("~*")) {
          regexes.add(Pattern.compile(dev.fulcrum.model.Pcre.toJava(v.substring(2)).toLowerCase(Locale.ROOT)));
        } else {
          plain.add(v.toLowerCase(Locale.ROOT));
        }
      }
      return new HeaderPattern(e.getKey(), plain.toArray(new String[0]), regexes.toArray(new Pattern[0]));
    }

    boolean matches(HttpHeaders headers) {
      for (String raw : headers.getAll(name)) {
        String v = raw.toLowerCase(Locale.ROOT);
        for (String want : values) {
          if (want.equals(v)) {
            return true;
          }
        }
        for (Pattern p : regexes) {
          if (p.matcher(v).find()) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
