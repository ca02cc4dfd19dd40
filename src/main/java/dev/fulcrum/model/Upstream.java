package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;

/** An upstream: a virtual host name that balances over its targets. */
public record Upstream(
    String id,
    String name,
    Algorithm algorithm,
    HashSpec hashOn,
    HashSpec hashFallback,
    String hashOnCookie,
    String hashOnCookiePath,
    int slots,
    Healthchecks healthchecks,
    String hostHeader) {

  /**
   * Where the consistent-hashing key comes from.
   *
   * @param source where the key comes from
   * @param name header name, query argument, capture or cookie name when the source needs one
   * @param cookiePath the Path of a hash cookie the gateway sets (hash_on_cookie_path)
   */
  public record HashSpec(HashSource source, String name, String cookiePath) {
    public static final HashSpec NONE = new HashSpec(HashSource.NONE, null, null);

    static HashSpec of(JsonNode doc, String prefix) {
      String source = Docs.text(doc, prefix);
      String suffix = prefix.equals("hash_on") ? "hash_on_" : "hash_fallback_";
      String name = null;
      if ("header".equals(source)) {
        name = Docs.text(doc, suffix + "header");
      } else if ("query_arg".equals(source)) {
        name = Docs.text(doc, suffix + "query_arg");
      } else if ("uri_capture".equals(source)) {
        name = Docs.text(doc, suffix + "uri_capture");
      } else if ("cookie".equals(source)) {
        name = Docs.text(doc, "hash_on_cookie");
      }
      return new HashSpec(HashSource.of(source), name, "cookie".equals(source) ? Docs.text(doc, "hash_on_cookie_path") : null);
    }
  }

  public static Upstream from(JsonNode doc) {
    return new Upstream(
        Docs.text(doc, "id"),
        Docs.text(doc, "name"),
        Algorithm.ofKong(Docs.text(doc, "algorithm")),
        HashSpec.of(doc, "hash_on"),
        HashSpec.of(doc, "hash_fallback"),
        Docs.text(doc, "hash_on_cookie"),
        Docs.text(doc, "hash_on_cookie_path"),
        Docs.integer(doc, "slots", 10000),
        Healthchecks.from(Docs.child(doc, "healthchecks")),
        Docs.text(doc, "host_header"));
  }
}
