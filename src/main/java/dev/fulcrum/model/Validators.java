package dev.fulcrum.model;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Kong's typedef checks: each returns the error text Kong uses, or null when the value is fine. */
public final class Validators {
  private static final Pattern PATH_CHARS =
      Pattern.compile("^/[A-Za-z0-9._\\-~/%:@!$&'()*+,;=]*$");
  private static final Pattern HEADER_NAME = Pattern.compile("^[a-zA-Z0-9\\-_]+$");
  private static final Pattern METHOD = Pattern.compile("^[A-Z]+$");
  private static final String COOKIE_SEPARATORS = "()<>@,;:\\\"/?={}[]";

  private Validators() {}

  public static final Field.Check UTF8_NAME =
      v -> {
        String s = v.asText();
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= 0x80 || isNameChar(c))) {
          return "invalid value '"
              + s
              + "': the only accepted ascii characters are alphanumerics or ., -, _, and ~";
        }
        return null;
      };

  private static boolean isNameChar(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-'
        || c == '_'
        || c == '~';
  }

  /** A host without a port (service.host). */
  public static final Field.Check HOST =
      v -> {
        HostPort p = HostPort.parse(v.asText());
        if (!p.valid() && !"invalid port number".equals(p.error())) {
          return "invalid value: " + v.asText();
        }
        if (!p.valid() || p.hasPort()) {
          return "must not have a port";
        }
        return null;
      };

  public static final Field.Check HOST_WITH_OPTIONAL_PORT =
      v -> {
        HostPort p = HostPort.parse(v.asText());
        return p.valid() ? null : p.error();
      };

  public static final Field.Check PATH =
      v -> {
        String path = v.asText();
        if (!path.startsWith("/")) {
          return "should start with: /";
        }
        if (path.contains("//")) {
          return "must not have empty segments";
        }
        if (!PATH_CHARS.matcher(path).matches()) {
          return "invalid path: '"
              + path
              + "' (characters outside of the reserved list of RFC 3986 found)";
        }
        return percentError(path);
      };

  private static String percentError(String path) {
    String raw = path.replaceAll("%[0-9a-fA-F]{2}", "___");
    int i = raw.indexOf('%');
    if (i >= 0) {
      return "invalid url-encoded value: '" + raw.substring(i, Math.min(raw.length(), i + 3)) + "'";
    }
    return null;
  }

  /** A route path: a normalised prefix ({@code /x}) or a regex ({@code ~/x}). */
  public static final Field.Check ROUTER_PATH =
      v -> {
        String path = v.asText();
        if (!path.startsWith("/") && !path.startsWith("~/")) {
          return "should start with: / (fixed path) or ~/ (regex path)";
        }
        if (path.contains("//")) {
          return "must not have empty segments";
        }
        String percent = percentError(path);
        if (percent != null) {
          return percent;
        }
        if (!path.startsWith("~")) {
          String normalized = PathNormalizer.normalize(path);
          if (!normalized.equals(path)) {
            return "non-normalized path, consider use '" + normalized + "' instead";
          }
          return null;
        }
        String regex = path.substring(1);
        try {
          Pcre.compile(regex);
          return null;
        } catch (PatternSyntaxException e) {
          return "invalid regex: '" + regex + "' (PCRE returned: " + e.getDescription() + ")";
        }
      };

  /** A route host: at most one wildcard, as the leftmost or rightmost label; optional port. */
  public static final Field.Check ROUTE_HOST =
      v -> {
        String host = v.asText();
        int stars = host.length() - host.replace("*", "").length();
        if (stars > 1) {
          return "invalid wildcard: must have at most one wildcard";
        }
        if (stars == 1 && !host.startsWith("*.") && !host.matches(".*\\.\\*(:\\d+)?$")) {
          return "invalid wildcard: must be placed at leftmost or rightmost label";
        }
        HostPort p = HostPort.parse(host.replace("*", "abc"));
        return p.valid() ? null : p.error();
      };

  public static final Field.Check METHOD_NAME =
      v -> METHOD.matcher(v.asText()).matches() ? null : "invalid value: " + v.asText();

  public static final Field.Check HEADER_NAME_CHECK =
      v ->
          HEADER_NAME.matcher(v.asText()).matches()
              ? null
              : "bad header name '"
                  + v.asText()
                  + "', allowed characters are A-Z, a-z, 0-9, '_', and '-'";

  public static final Field.Check COOKIE_NAME =
      v -> {
        String s = v.asText();
        for (int i = 0; i < s.length(); i++) {
          char c = s.charAt(i);
          if (c <= 32 || c == 127 || COOKIE_SEPARATORS.indexOf(c) >= 0) {
            return "contains one or more invalid characters. ASCII control characters (0-31;127),"
                + " space, tab and the characters ()<>@,;:\\\"/?={}[] are not allowed.";
          }
        }
        return s.isEmpty() ? "length must be at least 1" : null;
      };

  public static final Field.Check TAG =
      v -> {
        String s = v.asText();
        boolean ok = !s.isEmpty();
        for (int i = 0; ok && i < s.length(); i++) {
          char c = s.charAt(i);
          ok = c >= 0x80 || (c >= 32 && c <= 126 && c != ',' && c != '/');
        }
        return ok
            ? null
            : "invalid tag '"
                + s
                + "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences";
      };

  public static final Field.Check IP_OR_CIDR =
      v -> {
        try {
          IpBlock.parse(v.asText());
          return null;
        } catch (IllegalArgumentException e) {
          return e.getMessage();
        }
      };

  /** The target of an upstream: a host or IP with an optional port. */
  public static final Field.Check TARGET =
      v -> {
        HostPort p = HostPort.parse(v.asText());
        return p.valid()
            ? null
            : "Invalid target ('" + v.asText() + "'); not a valid hostname or ip address";
      };

  /** An upstream's name must be a plain hostname. */
  public static final Field.Check UPSTREAM_NAME =
      v -> {
        String name = v.asText();
        HostPort p = HostPort.parse(name);
        String prefix = "Invalid name ('" + name + "')";
        if (!p.valid()) {
          return prefix + "; must be a valid hostname";
        }
        if (p.isIp()) {
          return prefix + "; no ip addresses allowed";
        }
        if (p.hasPort()) {
          return prefix + "; no port allowed";
        }
        return null;
      };
}
