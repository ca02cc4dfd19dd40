package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A basic-auth credential: the username, the consumer it authenticates, the stored password hash. */
public record BasicAuthCredential(String id, String consumerId, String username, String passwordHash) {
  public static BasicAuthCredential from(JsonNode doc) {
    return new BasicAuthCredential(
        Docs.text(doc, "id"), Docs.foreignId(doc, "consumer"), Docs.text(doc, "username"),
        Docs.text(doc, "password"));
  }

  /** Whether {@code password} is this credential's, compared as Kong does: hash against hash. */
  public boolean matches(String password) {
    return consumerId != null && passwordHash != null
        && java.security.MessageDigest.isEqual(
            passwordHash.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            BasicAuthPasswords.hash(consumerId, password).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }
}
