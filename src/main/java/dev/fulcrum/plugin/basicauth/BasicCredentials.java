package dev.fulcrum.plugin.basicauth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A username and password as Kong's basic-auth reads them from one header. */
record BasicCredentials(String username, String password) {
  /**
   * A header whose Base64 decodes to something without {@code user:password}: Kong logs
   * "header has unrecognized format" and returns before hiding the header.
   */
  static final BasicCredentials UNRECOGNIZED = new BasicCredentials(null, null);

  /** Kong's pattern, unanchored: the scheme may follow other text, and spaces after it are optional. */
  private static final Pattern SCHEME = Pattern.compile("\\s*[Bb]asic\\s*(.+)");
  /** The first run of non-colons before a colon, and the rest (which may hold colons). */
  private static final Pattern USER_PASSWORD = Pattern.compile("([^:]+):(.*)", Pattern.UNIX_LINES);

  /** The credentials of a header value; null when it holds none, {@link #UNRECOGNIZED} as above. */
  static BasicCredentials parse(String header) {
    Matcher scheme = SCHEME.matcher(header);
    if (!scheme.find()) {
      return null;
    }
    String decoded = decodeBase64(scheme.group(1));
    if (decoded == null) {
      return null;
    }
    Matcher m = USER_PASSWORD.matcher(decoded);
    return m.find() ? new BasicCredentials(m.group(1), m.group(2)) : UNRECOGNIZED;
  }

  /**
   * Base64 as nginx's ngx_decode_base64 reads it (ngx.decode_base64): the text up to the first
   * {@code =}, which must use the standard alphabet only and may not leave a lone last character;
   * padding is optional and anything after it is ignored. Null when it is not Base64.
   */
  static String decodeBase64(String text) {
    int len = 0;
    while (len < text.length() && text.charAt(len) != '=') {
      char c = text.charAt(len);
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/';
      if (!alphabet) {
        return null;
      }
      len++;
    }
    if (len % 4 == 1) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(text.substring(0, len)), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
