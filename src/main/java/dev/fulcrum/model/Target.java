package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A target of an upstream.
 *
 * @param target normalised {@code host:port} (IPv6 bracketed), unique within its upstream
 * @param host the host part, without brackets
 */
public record Target(String id, String upstreamId, String target, String host, int port, int weight, double createdAt) {

  public static Target from(JsonNode doc) {
    String target = Docs.text(doc, "target");
    HostPort hp = HostPort.parse(target);
    return new Target(
        Docs.text(doc, "id"),
        Docs.foreignId(doc, "upstream"),
        target,
        hp.valid() ? hp.host() : target,
        hp.valid() && hp.hasPort() ? hp.port() : 8000,
        Docs.integer(doc, "weight", 100),
        Docs.number(doc, "created_at", 0));
  }
}
