package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A service as the proxy uses it. Timeouts are milliseconds. */
public record Service(
    String id,
    String name,
    Protocol protocol,
    String host,
    int port,
    String path,
    int retries,
    int connectTimeout,
    int writeTimeout,
    int readTimeout,
    boolean enabled,
    Boolean tlsVerify,
    Integer tlsVerifyDepth) {

  public static Service from(JsonNode doc) {
    return new Service(
        Docs.text(doc, "id"),
        Docs.text(doc, "name"),
        Protocol.of(Docs.text(doc, "protocol")),
        Docs.text(doc, "host"),
        Docs.integer(doc, "port", 80),
        Docs.text(doc, "path"),
        Docs.integer(doc, "retries", 5),
        Docs.integer(doc, "connect_timeout", 60000),
        Docs.integer(doc, "write_timeout", 60000),
        Docs.integer(doc, "read_timeout", 60000),
        Docs.bool(doc, "enabled", true),
        doc.path("tls_verify").isBoolean() ? doc.get("tls_verify").booleanValue() : null,
        doc.path("tls_verify_depth").isIntegralNumber() ? doc.get("tls_verify_depth").intValue() : null);
  }
}
