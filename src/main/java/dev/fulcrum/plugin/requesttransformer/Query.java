package dev.fulcrum.plugin.requesttransformer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A query string as Kong's request-transformer sees it: each argument with its values (null for
 * an argument without {@code =}, ngx's {@code true}), decoded as ngx.req.get_uri_args decodes,
 * and encoded again as kong.service.request.set_query does: each argument as ngx.encode_args
 * writes it, the pieces sorted.
 */
final class Query {
  private Query() {}

  static Map<String, List<String>> decode(String raw) {
    Map<String, List<String>> args = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return args;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = unescape(eq < 0 ? part : part.substring(0, eq));
      if (name.isEmpty()) {
        continue;
      }
      args.computeIfAbsent(name, k -> new ArrayList<>()).add(eq < 0 ? null : unescape(part.substring(eq + 1)));
    }
    return args;
  }

  static String encode(Map<String, List<String>> args) {
    List<String> pieces = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : args.entrySet()) {
      StringBuilder piece = new StringBuilder();
      for (String v : e.getValue()) {
        if (piece.length() > 0) {
          piece.append('&');
        }
        piece.append(escape(e.getKey()));
        if (v != null) {
          piece.append('=').append(escape(v));
        }
      }
      if (piece.length() > 0) {
        pieces.add(piece.toString());
      }
    }
    pieces.sort(null);
    return String.join("&", pieces);
  }

  /** ngx.escape_uri for a query component: all but the unreserved characters as %XX. */
  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** ngx.unescape_uri with {@code +} as a space, as get_uri_args decodes; bad escapes stay as they are. */
  private static String unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+') {
        out.write(' ');
      } else if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
