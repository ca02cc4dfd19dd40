package dev.fulcrum.plugin.cors;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * cors' {@code origins}, compiled once, and the Access-Control-Allow-Origin a request's Origin
 * earns, with Kong's rules: no origins or a lone {@code *} allow all; a lone plain origin is sent
 * whatever the request says (the browser compares); otherwise each entry is tried: a plain one
 * against the request's normalised origin, one with other characters as a regex anchored at both
 * ends, against the request's host alone when the regex has no {@code :}, else against scheme,
 * host and port. A {@code *} among several entries allows all once an Origin is given.
 */
final class AllowedOrigins {
  /** Characters of a plain origin; an entry with any other is a regex. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9.:/-]+");
  private static final Pattern NOTHING = Pattern.compile("(?!)");

  /** One entry of the list: a normalised plain origin, or a regex and what it is matched on. */
  private record Entry(String domain, Pattern regex, boolean byHost) {
    boolean matches(NormalizedOrigin origin) {
      if (regex == null) {
        return domain.equals(origin.domain());
      }
      return regex.matcher(byHost ? origin.host() : origin.domain()).lookingAt();
    }
  }

  /** What the origin check decided for one request. */
  record Decision(String allowOrigin, boolean allowAll, boolean vary) {}

  private static final Decision ALL = new Decision("*", true, false);

  private final boolean any;
  private final String fixed;
  private final boolean star;
  private final List<Entry> entries = new ArrayList<>();

  AllowedOrigins(List<String> origins) {
    this.any = origins.isEmpty() || (origins.size() == 1 && origins.get(0).equals("*"));
    this.fixed = origins.size() == 1 && PLAIN.matcher(origins.get(0)).matches() ? origins.get(0) : null;
    this.star = origins.contains("*");
    for (String o : origins) {
      if (o.equals("*")) {
        continue;
      }
      if (PLAIN.matcher(o).matches()) {
        entries.add(new Entry(NormalizedOrigin.of(o).domain(), null, false));
      } else {
        // Kong 0.x did not anchor these: an entry anchors at both ends whether it says so or not.
        String regex = o.startsWith("^") ? o.substring(1) : o;
        regex = regex.endsWith("$") ? regex : regex + "$";
        Pattern compiled;
        try {
          compiled = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
          // The schema compiled the entry as given; one that fails once anchored matches nothing.
          compiled = NOTHING;
        }
        entries.add(new Entry(null, compiled, o.indexOf(':') < 0));
      }
    }
  }

  /**
   * The decision for a request's Origin (null or empty: none given). Unless all are allowed, the
   * answer depends on the Origin, hence Vary.
   */
  Decision decide(String requestOrigin) {
    if (any) {
      return ALL;
    }
    if (fixed != null) {
      return new Decision(fixed, false, true);
    }
    if (requestOrigin == null || requestOrigin.isEmpty()) {
      return new Decision(null, false, true);
    }
    if (star) {
      return new Decision("*", true, true);
    }
    NormalizedOrigin origin = NormalizedOrigin.of(requestOrigin);
    for (Entry e : entries) {
      if (e.matches(origin)) {
        return new Decision(origin.domain(), false, true);
      }
    }
    return new Decision(null, false, true);
  }
}
