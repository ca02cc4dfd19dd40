package dev.fulcrum.conf;

/** A node setting that cannot be used; the message names the key and the value. */
public final class SettingsException extends RuntimeException {
  public SettingsException(String key, String value, String expected) {
    super(key + ": invalid value '" + value + "' (" + expected + ")");
  }

  public SettingsException(String message) {
    super(message);
  }
}
