package dev.fulcrum.upstream;

import dev.fulcrum.net.UpstreamTls;

/**
 * Where a request or a TCP session goes once routed, and the rules of the way: the backend's
 * servers, how often and where to try again, how long to wait, and whether the Host header goes
 * up as the client sent it. A Kong service and a haproxy.cfg backend each compile to one.
 */
public final class Destination {
  private final Backend backend;
  private final RetryPolicy retry;
  private final Timeouts timeouts;
  private final boolean preserveHost;
  private final UpstreamTls tls;

  /**
   * @param preserveHost pass the client's Host on (HAProxy always; Kong's preserve_host)
   * @param tls how to speak TLS to the servers (a Kong https service), or null: cleartext unless
   *     a server says otherwise (haproxy.cfg's {@code ssl})
   */
  public Destination(Backend backend, RetryPolicy retry, Timeouts timeouts, boolean preserveHost, UpstreamTls tls) {
    this.backend = backend;
    this.retry = retry;
    this.timeouts = timeouts;
    this.preserveHost = preserveHost;
    this.tls = tls;
  }

  /** TLS to {@code target}: its own (a haproxy.cfg server's), else this destination's, else null. */
  public UpstreamTls tls(UpstreamTarget target) {
    UpstreamTls own = target.options().tls();
    return own != null ? own : tls;
  }

  public Backend backend() {
    return backend;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public Timeouts timeouts() {
    return timeouts;
  }

  public boolean preserveHost() {
    return preserveHost;
  }

  /** The same destination with the Host header passed on or not (Kong routes decide). */
  public Destination withPreserveHost(boolean preserve) {
    return preserve == preserveHost ? this : new Destination(backend, retry, timeouts, preserve, tls);
  }

  @Override
  public String toString() {
    return backend.name();
  }
}
