package dev.fulcrum.plugin.proxycache;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kong's proxy-cache key: the SHA-256 (hex) of {@code prefix|method|uri|params|headers}, where
 * the prefix is {@code consumer:route}, the route, or {@code default}; the uri is the request line
 * cut at its query; params are the (chosen) query arguments and headers the vary headers, each
 * {@code name=value} (several values sorted and joined by commas, a bare argument by its name)
 * joined by colons.
 */
final class CacheKey {
  private CacheKey() {}

  static String of(String consumerId, String routeId, String method, String requestLine,
      Map<String, List<String>> query, List<String> varyQuery, HttpHeaders headers, List<String> varyHeaders) {
    String prefix = consumerId != null && routeId != null ? consumerId + ":" + routeId
        : routeId != null ? routeId : "default";
    int q = requestLine.indexOf('?');
    String uri = q < 0 ? requestLine : requestLine.substring(0, q);
    String params = fields(query, varyQuery == null || varyQuery.isEmpty()
        ? new ArrayList<>(new TreeMap<>(query).keySet()) : varyQuery);
    String vary = "";
    if (varyHeaders != null && !varyHeaders.isEmpty()) {
      Map<String, List<String>> values = new TreeMap<>();
      for (String name : varyHeaders) {
        List<String> all = headers.getAll(name);
        if (!all.isEmpty()) {
          values.put(name.toLowerCase(Locale.ROOT), all);
        }
      }
      vary = fields(values, varyHeaders.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    }
    return sha256(prefix + "|" + method + "|" + uri + "|" + params + "|" + vary);
  }

  private static String fields(Map<String, List<String>> values, List<String> names) {
    List<String> parts = new ArrayList<>();
    for (String name : names) {
      List<String> v = values.get(name);
      if (v == null) {
        continue;
      }
      if (v.size() == 1 && v.get(0).isEmpty()) {
        parts.add(name);
      } else {
        List<String> sorted = new ArrayList<>(v);
        Collections.sort(sorted);
        parts.add(name + "=" + String.join(",", sorted));
      }
    }
    return String.join(":", parts);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
