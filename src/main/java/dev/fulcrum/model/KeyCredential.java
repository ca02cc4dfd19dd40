package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A key-auth credential: the key and the consumer it authenticates. */
public record KeyCredential(String id, String consumerId, String key) {
  public static KeyCredential from(JsonNode doc) {
    return new KeyCredential(Docs.text(doc, "id"), Docs.foreignId(doc, "consumer"), Docs.text(doc, "key"));
  }
}
