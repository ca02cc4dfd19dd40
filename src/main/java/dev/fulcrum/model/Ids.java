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
}
