package dev.fulcrum.proxy.http;

import dev.fulcrum.router.RouteMatch;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;

/** Request values Kong's consistent hashing can use (kong/runloop/balancer/init.lua). */
final class HashKeys {
  private HashKeys() {}

  /** All values of a header, joined with ", " as nginx presents them; null when absent. */
  static String header(HttpHeaders headers, String name) {
    List<String> values = headers.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    return values.size() == 1 ? values.get(0) : String.join(", ", values);
  }

  /** A cookie's value from the Cookie header(s), or null. */
  static String cookie(HttpHeaders headers, String name) {
    for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
          return pair.substring(eq + 1).trim();
        }
      }
    }
    return null;
  }

  /**
   * A query argument: several values sorted and joined with ",", a bare {@code ?arg} is "true",
   * an empty {@code ?arg=} is no value.
   */
  static String queryArg(String query, String name) {
    if (query == null || query.length() < 2) {
      return null;
    }
    List<String> raw = new ArrayList<>();
    for (String pair : query.substring(1).split("&")) {
      int eq = pair.indexOf('=');
      String key = QueryStringDecoder.decodeComponent(eq < 0 ? pair : pair.substring(0, eq));
      if (key.equals(name)) {
        raw.add(eq < 0 ? "true" : QueryStringDecoder.decodeComponent(pair.substring(eq + 1)));
      }
    }
    raw.removeIf(String::isEmpty);
    if (raw.isEmpty()) {
      return null;
    }
    if (raw.size() == 1) {
      return raw.get(0);
    }
    Collections.sort(raw);
    return String.join(",", raw);
  }

  /** A named or numbered capture of the regex path the route matched, or null. */
  static String capture(RouteMatch match, String name) {
    Matcher m = match == null ? null : match.captures();
    if (m == null) {
      return null;
    }
    try {
      return name.chars().allMatch(Character::isDigit) ? m.group(Integer.parseInt(name)) : m.group(name);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      return null;
    }
  }
}
