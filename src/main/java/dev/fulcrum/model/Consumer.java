package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A Kong consumer as the proxy needs it: who a request authenticated as. */
public record Consumer(String id, String username, String customId) {
  public static Consumer from(JsonNode doc) {
    return new Consumer(Docs.text(doc, "id"), Docs.text(doc, "username"), Docs.text(doc, "custom_id"));
  }
}
