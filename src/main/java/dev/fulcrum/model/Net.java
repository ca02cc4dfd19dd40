package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One entry of a stream route's {@code sources} or {@code destinations}: an IP or CIDR block, a
 * port, or both.
 *
 * @param ip an address or CIDR block, or null
 * @param port a port, or null
 */
public record Net(String ip, Integer port) {
  static List<Net> list(JsonNode doc, String field) {
    JsonNode v = doc.get(field);
    if (Json.isNull(v) || !v.isArray()) {
      return List.of();
    }
    List<Net> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      JsonNode ip = e.get("ip");
      JsonNode port = e.get("port");
      out.add(new Net(Json.isNull(ip) ? null : ip.asText(), Json.isNull(port) ? null : port.asInt()));
    }
    return Collections.unmodifiableList(out);
  }
}
