package dev.fulcrum.runtime;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.upstream.Destination;
import java.net.InetSocketAddress;

/** What a TCP listener serves: where its sessions go, and the limits and counters that apply. */
public interface StreamFrontend {
  /** The destination of a new session, or null to close it (no rule matched, no default). */
  Destination route(InetSocketAddress client, InetSocketAddress local);

  Counters counters();

  /** Client inactivity timeout in milliseconds, 0 for none. */
  long clientTimeoutMillis();

  /** Whether clients start with a PROXY protocol header (v1 or v2) naming the real client. */
  boolean acceptProxy();
}
