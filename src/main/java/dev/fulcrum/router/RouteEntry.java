package dev.fulcrum.router;

import dev.fulcrum.model.Route;
import java.util.regex.Pattern;

/**
 * One path of one route (or the route itself when it has no paths), compiled: its conditions,
 * its prefix or regex, and Kong's priority. Entries are ordered best first: higher priority,
 * then, on a tie, the greater route id (as Kong's ATC router does).
 */
final class RouteEntry {
  final Route route;
  final Conditions conditions;
  /** The prefix path, or null. */
  final String prefix;
  /** The regex path, or null. */
  final Pattern regex;
  /** Where the entry is filed in the path trie (prefix, or the regex's literal prefix); null without a path. */
  final String key;
  final long priority;

  RouteEntry(Route route, Conditions conditions, String path) {
    this.route = route;
    this.conditions = conditions;
    this.priority = priority(route, path);
    if (path == null) {
      prefix = null;
      regex = null;
      key = null;
    } else if (path.startsWith("~")) {
      prefix = null;
      regex = dev.fulcrum.model.Pcre.compile(path.substring(1));
      key = RegexPaths.literalPrefix(path.substring(1));
    } else {
      prefix = path;
      regex = null;
      key = path;
    }
  }

  /** Whether this entry goes before {@code other} (which may be null: anything beats nothing). */
  boolean before(RouteEntry other) {
    if (other == null) {
      return true;
    }
    int byPriority = Long.compareUnsigned(priority, other.priority);
    return byPriority != 0 ? byPriority > 0 : route.id().compareTo(other.route.id()) > 0;
  }

  /**
   * Kong's priority (kong/router/transform.lua get_priority): the number of matching fields, plain
   * hosts, header count, regex bit, regex_priority and prefix length, most significant first.
   */
  static long priority(Route r, String path) {
    long weight = 0;
    if (!r.methods().isEmpty()) {
      weight++;
    }
    if (!r.hosts().isEmpty()) {
      weight++;
    }
    int headers = Math.min(r.headers().size(), 255);
    if (headers > 0) {
      weight++;
    }
    if (!r.snis().isEmpty()) {
      weight++;
    }
    if (path != null) {
      weight++;
    }
    boolean plainHosts = !r.hosts().isEmpty() && r.hosts().stream().noneMatch(h -> h.contains("*"));
    boolean regex = path != null && path.startsWith("~");
    long p = weight << 61;
    if (plainHosts) {
      p |= 1L << 60;
    }
    p |= ((long) headers) << 52;
    if (regex) {
      p |= 1L << 51;
      // A signed regex_priority is offset into the 32-bit field so that negative values sort below
      // zero instead of wrapping around to the top.
      p |= ((r.regexPriority() + (1L << 31)) & 0xFFFFFFFFL) << 19;
    } else if (path != null) {
      p |= path.length() & 0x7FFFF;
    }
    return p;
  }
}
