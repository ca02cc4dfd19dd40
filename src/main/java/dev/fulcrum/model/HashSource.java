package dev.fulcrum.model;

/** Where Kong's consistent hashing takes its key from ({@code hash_on}, {@code hash_fallback}). */
public enum HashSource {
  NONE("none"),
  CONSUMER("consumer"),
  IP("ip"),
  HEADER("header"),
  COOKIE("cookie"),
  PATH("path"),
  QUERY_ARG("query_arg"),
  URI_CAPTURE("uri_capture");

  private final String configName;

  HashSource(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The source a schema-valid value names; NONE for null. */
  public static HashSource of(String name) {
    if (name == null) {
      return NONE;
    }
    for (HashSource s : values()) {
      if (s.configName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("hash source: " + name + " (expected: none, consumer, ip, header, cookie,"
        + " path, query_arg, uri_capture)");
  }
}
