package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A consumer's membership of a group (Kong's acls entity), for the acl plugin. */
public record Acl(String id, String consumerId, String group) {
  public static Acl from(JsonNode doc) {
    return new Acl(Docs.text(doc, "id"), Docs.foreignId(doc, "consumer"), Docs.text(doc, "group"));
  }
}
