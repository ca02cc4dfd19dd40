package dev.fulcrum.router;

import dev.fulcrum.model.Route;
import java.util.regex.Matcher;

/**
 * The route a request matched.
 *
 * @param route the route
 * @param matchedPath the part of the path the route's path matched (the prefix, or the regex
 *     match), or null when the route has no paths
 * @param captures the regex match when a regex path matched, else null
 */
public record RouteMatch(Route route, String matchedPath, Matcher captures) {

  /** The upstream path by Kong's path_handling v0 rules (kong/router/utils.lua). */
  public String upstreamPath(String requestPath, String servicePath) {
    String base = servicePath == null ? "/" : servicePath;
    String prefix = route.stripPath() && matchedPath != null ? matchedPath : "/";
    String postfix = sanitize(requestPath.length() >= prefix.length() ? requestPath.substring(prefix.length()) : "");
    return UpstreamPaths.v0(route.stripPath(), base, postfix, requestPath);
  }

  private static String sanitize(String postfix) {
    if (postfix.equals(".") || postfix.equals("..")) {
      return "";
    }
    if (postfix.startsWith("./")) {
      return postfix.substring(2);
    }
    if (postfix.startsWith("../")) {
      return postfix.substring(3);
    }
    return postfix;
  }

  /** The prefix that strip_path removed, for X-Forwarded-Prefix; null when nothing was. */
  public String strippedPrefix() {
    if (!route.stripPath() || matchedPath == null || matchedPath.equals("/") || matchedPath.isEmpty()) {
      return null;
    }
    return matchedPath;
  }
}
