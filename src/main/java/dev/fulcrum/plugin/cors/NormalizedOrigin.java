package dev.fulcrum.plugin.cors;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An origin as Kong's cors plugin compares it, read the way LuaSocket's url.parse reads a URL:
 * {@code domain} is scheme, host and port with the scheme's default port dropped ({@code
 * http://a.test:80} is {@code http://a.test}); {@code host} is the host alone. Text without an
 * authority ({@code a.test}, or {@code a.test:8000}, whose "a.test" reads as a scheme) is both.
 */
record NormalizedOrigin(String domain, String host) {
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z0-9][A-Za-z0-9+\\-.]*):");

  static NormalizedOrigin of(String text) {
    String rest = text;
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      rest = rest.substring(0, hash);
    }
    String scheme = null;
    Matcher m = SCHEME.matcher(rest);
    if (m.lookingAt()) {
      scheme = m.group(1);
      rest = rest.substring(m.end());
    }
    if (!rest.startsWith("//")) {
      return new NormalizedOrigin(text, text);
    }
    int end = rest.indexOf('/', 2);
    String authority = rest.substring(2, end < 0 ? rest.length() : end);
    int at = authority.indexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    String port = null;
    int colon = authority.lastIndexOf(':');
    if (colon >= 0 && authority.indexOf(']', colon) < 0) {
      port = authority.substring(colon + 1);
      authority = authority.substring(0, colon);
    }
    if (authority.isEmpty()) {
      return new NormalizedOrigin(text, text);
    }
    String host = authority.startsWith("[") && authority.endsWith("]") && authority.length() > 2
        ? authority.substring(1, authority.length() - 1)
        : authority;
    if (("http".equals(scheme) && "80".equals(port)) || ("https".equals(scheme) && "443".equals(port))) {
      port = null;
    }
    String domain = (scheme == null ? "" : scheme + "://") + host + (port == null ? "" : ":" + port);
    return new NormalizedOrigin(domain, host);
  }
}
