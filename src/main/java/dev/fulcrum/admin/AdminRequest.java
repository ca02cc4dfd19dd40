package dev.fulcrum.admin;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * An Admin API request, fully read.
 *
 * @param method upper-case method
 * @param path path without query, as sent (segments are decoded when matched)
 * @param query query arguments, repeated keys kept in order
 */
record AdminRequest(
    String method, String path, Map<String, List<String>> query, HttpHeaders headers, byte[] body) {

  String queryParam(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  boolean hasQueryParam(String name) {
    return query.containsKey(name);
  }
}
