package dev.fulcrum.router;

/** Joins the service path and the request path, Kong's path_handling "v0" table. */
final class UpstreamPaths {
  private UpstreamPaths() {}

  static String v0(boolean stripPath, String base, String postfix, String requestPath) {
    if (base.endsWith("/")) {
      if (stripPath) {
        if (postfix.isEmpty()) {
          if (base.equals("/")) {
            return "/";
          }
          return requestPath.endsWith("/") ? base : base.substring(0, base.length() - 1);
        }
        if (postfix.startsWith("/")) {
          return base.substring(0, base.length() - 1) + postfix;
        }
        return base + postfix;
      }
      return base + requestPath.substring(1);
    }
    if (stripPath) {
      if (postfix.isEmpty()) {
        return requestPath.length() > 1 && requestPath.endsWith("/") ? base + "/" : base;
      }
      if (postfix.startsWith("/")) {
        return base + postfix;
      }
      return base + "/" + postfix;
    }
    return requestPath.equals("/") ? base : base + requestPath;
  }
}
