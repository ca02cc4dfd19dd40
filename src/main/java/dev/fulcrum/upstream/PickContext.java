package dev.fulcrum.upstream;

import dev.fulcrum.model.Upstream;

/** What a balancer may ask about the request. */
public interface PickContext {
  PickContext NONE = spec -> null;

  /**
   * The value to hash for {@code spec} (client ip, a header, a cookie, ...), or null when the
   * request has none. Computed by the request, so it can be remembered across retries.
   */
  String hashValue(Upstream.HashSpec spec);

  /** HAProxy's source key: the XOR of the client address's 32-bit words. */
  default int sourceKey() {
    return 0;
  }

  /** The source key of {@code address} (src/backend.c get_server_sh). */
  static int sourceKeyOf(java.net.InetAddress address) {
    byte[] b = address.getAddress();
    int key = 0;
    for (int i = 0; i + 3 < b.length; i += 4) {
      key ^= ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }
    return key;
  }

  /** The request URI as received (HAProxy's uri and url_param hashing), null outside HTTP. */
  default String uri() {
    return null;
  }

  /** A request header's first value (HAProxy's hdr hashing), null when absent. */
  default String header(String name) {
    return null;
  }
}
