package dev.fulcrum.model;

import java.util.UUID;
import java.util.regex.Pattern;

/** UUIDs, the primary keys of every entity. */
public final class Ids {
  private static final Pattern UUID_TEXT =
      Pattern.compile("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

  private Ids() {}

  public static boolean isUuid(String text) {
    return text != null && UUID_TEXT.matcher(text).matches();
  }

  public static String newId() {
    return UUID.randomUUID().toString();
  }

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** A secret such as a key-auth key Kong generates: 32 URL-safe characters from 24 random bytes. */
  public static String randomKey() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
