package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How Kong stores a basic-auth password (kong/plugins/basic-auth/crypto.lua and the
 * transformation in its daos.lua): the hex SHA-1 of the password followed by the consumer's id,
 * computed when a write gives a password. The salt being the consumer's id, Kong refuses a write
 * that gives one of the two without the other, which would leave a hash no password matches.
 */
public final class BasicAuthPasswords {
  private BasicAuthPasswords() {}

  /** The stored form of {@code password} for the consumer {@code consumerId}. */
  public static String hash(String consumerId, String password) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] digest = sha1.digest((password + consumerId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required algorithm of every JVM", e);
    }
  }

  /**
   * Kong's transformation check: when the write gives a password, or changes the consumer, the
   * password and {@code consumer.id} must be given together. A PATCH that names no consumer
   * counts as a change of it (Kong compares the body's {@code consumer.id}, absent, with the
   * stored one), so {@code PATCH /basic-auths/{id}} with a password alone is refused, while the
   * nested {@code /consumers/{c}/basic-auth/{id}}, which puts the consumer in the body, is not.
   *
   * @param entity the entity as it will be stored
   * @param given the body of the request (before defaults)
   * @param stored the entity before a PATCH, or null for a create or a replace
   */
  public static void check(ObjectNode entity, ObjectNode given, ObjectNode stored, FieldErrors errors) {
    boolean passwordGiven = nonEmpty(given.get("password"));
    boolean consumerChanged = stored != null
        && !java.util.Objects.equals(consumerId(given), consumerId(stored));
    if (!passwordGiven && !consumerChanged) {
      return;
    }
    ObjectNode against = consumerChanged ? given : entity;
    if (nonEmpty(against.get("password")) != (consumerId(against) != null)) {
      errors.entity("all or none of these fields must be set: 'password', 'consumer.id'");
    }
  }

  /** Puts the hash of the password {@code given} in {@code entity}, if it gives one. */
  public static void apply(ObjectNode entity, ObjectNode given) {
    JsonNode password = given.get("password");
    String consumerId = consumerId(entity);
    if (nonEmpty(password) && password.isTextual() && consumerId != null) {
      entity.put("password", hash(consumerId, password.asText()));
    }
  }

  private static String consumerId(ObjectNode doc) {
    JsonNode consumer = doc.get("consumer");
    if (consumer == null || !consumer.isObject()) {
      return null;
    }
    JsonNode id = consumer.get("id");
    return nonEmpty(id) ? id.asText() : null;
  }

  /** Kong's is_nonempty: not null, not an empty string. */
  private static boolean nonEmpty(JsonNode v) {
    return !Json.isNull(v) && !(v.isTextual() && v.asText().isEmpty());
  }
}
