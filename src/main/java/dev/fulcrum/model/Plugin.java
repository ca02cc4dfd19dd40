package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;

/**
 * A configured plugin: what it is, where it applies (null references: everywhere) and its
 * validated config.
 */
public record Plugin(
    String id, String name, String routeId, String serviceId, String consumerId, boolean enabled,
    Set<String> protocols, ObjectNode config) {

  public static Plugin from(JsonNode doc) {
    Set<String> protocols = new HashSet<>();
    JsonNode p = doc.get("protocols");
    if (p != null && p.isArray()) {
      p.forEach(v -> protocols.add(v.asText()));
    }
    JsonNode config = doc.get("config");
    return new Plugin(
        Docs.text(doc, "id"), Docs.text(doc, "name"), Docs.foreignId(doc, "route"), Docs.foreignId(doc, "service"),
        Docs.foreignId(doc, "consumer"), !doc.has("enabled") || doc.get("enabled").asBoolean(true),
        Set.copyOf(protocols), config instanceof ObjectNode o ? o : Json.object());
  }

  /** Whether it applies to plain or TLS HTTP requests. */
  public boolean http() {
    return protocols.contains("http") || protocols.contains("https");
  }
}
