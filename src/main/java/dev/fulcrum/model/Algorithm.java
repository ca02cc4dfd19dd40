package dev.fulcrum.model;

import java.util.Locale;

/**
 * A balancing algorithm, as either dialect names it. Kong's and HAProxy's round robin are two
 * algorithms (a smooth wheel, and HAProxy's fwrr with its exact pick order), so each dialect has
 * its own constants; both compile to the same runtime backend.
 */
public enum Algorithm {
  // Kong's upstream algorithms (kong/runloop/balancer).
  ROUND_ROBIN("round-robin"),
  LEAST_CONNECTIONS("least-connections"),
  CONSISTENT_HASHING("consistent-hashing"),
  LATENCY("latency"),
  // HAProxy's balance keywords (src/backend.c).
  ROUNDROBIN("roundrobin"),
  STATIC_RR("static-rr"),
  LEASTCONN("leastconn"),
  FIRST("first"),
  SOURCE("source"),
  URI("uri"),
  URL_PARAM("url_param"),
  HDR("hdr"),
  RANDOM("random"),
  /** One server and nothing to choose (a service that names a host, not an upstream). */
  NONE("none");

  private final String configName;

  Algorithm(String configName) {
    this.configName = configName;
  }

  /** The name a configuration uses ({@code round-robin}, {@code leastconn}, ...), as stats show it. */
  public String configName() {
    return configName;
  }

  /** HAProxy's algorithms that place a request by hashing something it carries. */
  public boolean hashes() {
    return this == SOURCE || this == URI || this == URL_PARAM || this == HDR;
  }

  /** Kong's upstream {@code algorithm} value (schema-valid; null is Kong's default, round-robin). */
  public static Algorithm ofKong(String name) {
    if (name == null) {
      return ROUND_ROBIN;
    }
    for (Algorithm a : values()) {
      if (a.ordinal() <= LATENCY.ordinal() && a.configName.equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("algorithm: " + name
        + " (expected: round-robin, least-connections, consistent-hashing, latency)");
  }

  /** HAProxy's {@code balance} keyword (without arguments); null for an unknown one. */
  public static Algorithm ofHaproxy(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Algorithm a : values()) {
      if (a.ordinal() >= ROUNDROBIN.ordinal() && a != NONE && a.configName.equals(n)) {
        return a;
      }
    }
    return null;
  }
}
