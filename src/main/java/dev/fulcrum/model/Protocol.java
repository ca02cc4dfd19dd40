package dev.fulcrum.model;

/** A protocol of a Kong service or route ({@code protocol}, {@code protocols}). */
public enum Protocol {
  HTTP("http"),
  HTTPS("https"),
  GRPC("grpc"),
  GRPCS("grpcs"),
  TCP("tcp"),
  TLS("tls"),
  TLS_PASSTHROUGH("tls_passthrough"),
  UDP("udp"),
  WS("ws"),
  WSS("wss");

  private final String configName;

  Protocol(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The protocol a schema-valid value names. */
  public static Protocol of(String name) {
    for (Protocol p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("protocol: " + name);
  }

  /** Whether the proxy speaks HTTP to the client on routes of this protocol. */
  public boolean http() {
    return this == HTTP || this == HTTPS || this == GRPC || this == GRPCS || this == WS || this == WSS;
  }
}
