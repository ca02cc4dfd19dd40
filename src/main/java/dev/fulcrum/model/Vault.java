package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A vault entity as references use it: its prefix, kind and the env vault's variable prefix. */
public record Vault(String id, String prefix, String name, String envPrefix) {
  public static Vault from(JsonNode doc) {
    return new Vault(Docs.text(doc, "id"), Docs.text(doc, "prefix"), Docs.text(doc, "name"),
        Docs.text(doc.path("config"), "prefix"));
  }
}
