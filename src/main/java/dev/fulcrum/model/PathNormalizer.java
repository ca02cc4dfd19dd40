package dev.fulcrum.model;

/**
 * Kong's URI path normalisation (kong/tools/uri.lua): percent-decode everything except RFC 3986
 * reserved characters (whose escapes are upper-cased instead), remove dot segments and merge
 * repeated slashes. Routing matches the normalised path and the normalised path is what goes
 * upstream, re-escaped by {@link #escape}. Strings hold one byte per char (ISO-8859-1), as Netty
 * decodes a request line.
 */
public final class PathNormalizer {
  private static final String RESERVED = "!*'();:@&=+$,/?%#[]";
  private static final boolean[] KEEP_ESCAPED = new boolean[256];
  private static final boolean[] SAFE = new boolean[256];

  static {
    for (int i = 0; i < RESERVED.length(); i++) {
      KEEP_ESCAPED[RESERVED.charAt(i)] = true;
    }
    String safe = "!#$&'()*+,/:;=?@[]-_.~%";
    for (int i = 0; i < safe.length(); i++) {
      SAFE[safe.charAt(i)] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      SAFE[c] = true;
    }
    for (int c = 'A'; c <= 'Z'; c++) {
      SAFE[c] = true;
    }
    for (int c = '0'; c <= '9'; c++) {
      SAFE[c] = true;
    }
  }

  private PathNormalizer() {}

  /** The normalised path; returns {@code path} itself when nothing changes (the usual case). */
  public static String normalize(String path) {
    if (path.isEmpty() || path.equals("/")) {
      return path;
    }
    if (path.indexOf('%') >= 0) {
      path = decode(path);
    }
    if (path.indexOf('.') < 0 && path.indexOf("//") < 0) {
      return path;
    }
    return removeDotSegments(path);
  }

  private static String decode(String path) {
    StringBuilder sb = new StringBuilder(path.length());
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < n && isHex(path.charAt(i + 1)) && isHex(path.charAt(i + 2))) {
        int value = Character.digit(path.charAt(i + 1), 16) * 16 + Character.digit(path.charAt(i + 2), 16);
        if (KEEP_ESCAPED[value]) {
          sb.append('%')
              .append(Character.toUpperCase(path.charAt(i + 1)))
              .append(Character.toUpperCase(path.charAt(i + 2)));
        } else {
          sb.append((char) value);
        }
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** RFC 3986 §5.2.4 with repeated slashes merged, following Kong's loop step by step. */
  private static String removeDotSegments(String uri) {
    String[] out = new String[uri.length() + 1];
    int outN = 0;
    String in = uri;
    while (!in.isEmpty()) {
      if (in.equals("/.")) {
        in = "/";
      } else if (in.equals("/..")) {
        in = "/";
        if (outN > 0) {
          outN--;
        }
      } else if (in.equals(".") || in.equals("..")) {
        in = "";
      } else if (in.startsWith("../")) {
        in = in.substring(3);
      } else if (in.startsWith("./")) {
        in = in.substring(2);
      } else if (in.startsWith("/./")) {
        in = in.substring(2);
      } else if (in.startsWith("/../")) {
        in = in.substring(3);
        if (outN > 0) {
          outN--;
        }
      } else if (in.startsWith("//")) {
        in = in.substring(1);
      } else {
        int i = in.indexOf('/', 1);
        if (i > 0) {
          out[outN++] = in.substring(0, i);
          in = in.substring(i);
        } else {
          out[outN++] = in;
          in = "";
        }
      }
    }
    StringBuilder sb = new StringBuilder(uri.length());
    for (int i = 0; i < outN; i++) {
      sb.append(out[i]);
    }
    return sb.toString();
  }

  /** Percent-escapes bytes that may not appear raw in a request line; returns the input if none. */
  public static String escape(String path) {
    int n = path.length();
    int i = 0;
    while (i < n && isSafe(path.charAt(i))) {
      i++;
    }
    if (i == n) {
      return path;
    }
    StringBuilder sb = new StringBuilder(n + 16).append(path, 0, i);
    for (; i < n; i++) {
      char c = path.charAt(i);
      if (isSafe(c)) {
        sb.append(c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
      }
    }
    return sb.toString();
  }

  private static boolean isSafe(char c) {
    return c < 256 && SAFE[c];
  }
}
