package dev.fulcrum.plugin.rules;

import dev.fulcrum.router.RequestFacts;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A header value built per request from HAProxy's log-format syntax: literal text, {@code %%},
 * the sample fetches {@code %[src]}, {@code %[src_port]}, {@code %[dst]}, {@code %[dst_port]},
 * {@code %[method]}, {@code %[path]}, {@code %[url]}, {@code %[req.hdr(name)]} (or {@code
 * %[hdr(name)]}), and the aliases {@code %ci %cp %fi %fp}. Anything else is refused when the
 * configuration is read, never ignored at run time.
 */
public final class Template {
  private final List<Function<RequestFacts, String>> parts;
  private final String constant;

  private Template(List<Function<RequestFacts, String>> parts, String constant) {
    this.parts = parts;
    this.constant = constant;
  }

  /** @throws IllegalArgumentException naming what is not supported */
  public static Template parse(String format) {
    List<Function<RequestFacts, String>> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean dynamic = false;
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i);
      if (c != '%') {
        literal.append(c);
        i++;
        continue;
      }
      if (i + 1 >= format.length()) {
        throw new IllegalArgumentException("log-format '" + format + "' ends with a lone '%'");
      }
      char next = format.charAt(i + 1);
      if (next == '%') {
        literal.append('%');
        i += 2;
        continue;
      }
      Function<RequestFacts, String> fetch;
      if (next == '[') {
        int close = format.indexOf(']', i);
        if (close < 0) {
          throw new IllegalArgumentException("missing ']' in log-format '" + format + "'");
        }
        fetch = sample(format.substring(i + 2, close));
        i = close + 1;
      } else if (i + 3 <= format.length()) {
        fetch = alias(format.substring(i + 1, i + 3));
        i += 3;
      } else {
        throw new IllegalArgumentException("unsupported log-format variable at '" + format.substring(i) + "'");
      }
      if (literal.length() > 0) {
        String text = literal.toString();
        parts.add(f -> text);
        literal.setLength(0);
      }
      parts.add(fetch);
      dynamic = true;
    }
    if (!dynamic) {
      return new Template(List.of(), literal.toString());
    }
    if (literal.length() > 0) {
      String text = literal.toString();
      parts.add(f -> text);
    }
    return new Template(List.copyOf(parts), null);
  }

  private static Function<RequestFacts, String> sample(String expr) {
    String e = expr.trim();
    if (e.indexOf(',') >= 0) {
      throw new IllegalArgumentException("sample converters are not supported by Fulcrum: '" + e + "'");
    }
    switch (e) {
      case "src":
        return f -> ip(f.client());
      case "src_port":
        return f -> port(f.client());
      case "dst":
        return f -> ip(f.local());
      case "dst_port":
        return f -> port(f.local());
      case "method":
        return RequestFacts::method;
      case "path":
        return RequestFacts::rawPath;
      case "url":
        return RequestFacts::uri;
      default:
        break;
    }
    String name = null;
    if (e.startsWith("req.hdr(") && e.endsWith(")")) {
      name = e.substring(8, e.length() - 1);
    } else if (e.startsWith("hdr(") && e.endsWith(")")) {
      name = e.substring(4, e.length() - 1);
    }
    if (name != null && !name.isEmpty()) {
      String header = name;
      return f -> {
        List<String> v = f.header(header);
        return v.isEmpty() ? "" : v.get(v.size() - 1);
      };
    }
    throw new IllegalArgumentException("sample fetch '" + e + "' is not supported by Fulcrum (supported: src,"
        + " src_port, dst, dst_port, method, path, url, req.hdr(name))");
  }

  private static Function<RequestFacts, String> alias(String name) {
    switch (name) {
      case "ci":
        return f -> ip(f.client());
      case "cp":
        return f -> port(f.client());
      case "fi":
        return f -> ip(f.local());
      case "fp":
        return f -> port(f.local());
      default:
        throw new IllegalArgumentException("log-format variable '%" + name + "' is not supported by Fulcrum"
            + " (supported: %ci, %cp, %fi, %fp, %[sample])");
    }
  }

  private static String ip(InetSocketAddress a) {
    return a == null ? "" : a.getAddress().getHostAddress();
  }

  private static String port(InetSocketAddress a) {
    return a == null ? "" : Integer.toString(a.getPort());
  }

  public String render(RequestFacts facts) {
    if (constant != null) {
      return constant;
    }
    StringBuilder sb = new StringBuilder();
    for (Function<RequestFacts, String> p : parts) {
      String v = p.apply(facts);
      if (v != null) {
        sb.append(v);
      }
    }
    return sb.toString();
  }
}
