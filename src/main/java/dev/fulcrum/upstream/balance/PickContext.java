package dev.fulcrum.upstream.balance;

import dev.fulcrum.model.Upstream;

/** What a balancer may ask about the request. */
public interface PickContext {
  PickContext NONE = spec -> null;

  /**
   * The value to hash for {@code spec} (client ip, a header, a cookie, ...), or null when the
   * request has none. Computed by the request, so it can be remembered across retries.
   */
  String hashValue(Upstream.HashSpec spec);
}
