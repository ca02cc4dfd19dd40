package dev.fulcrum.runtime;

import dev.fulcrum.model.Service;
import dev.fulcrum.upstream.RetryPolicy;
import dev.fulcrum.upstream.UpstreamCluster;
import dev.fulcrum.upstream.UpstreamTarget;
import java.net.InetSocketAddress;

/**
 * A service compiled for the proxy: either an upstream's balancer (when {@code service.host}
 * names an upstream) or one host to resolve and connect to.
 */
public final class ServiceTarget {
  private final Service service;
  private final UpstreamCluster cluster;
  private final String hostHeader;
  private final InetSocketAddress literalAddress;
  private final RetryPolicy retry;

  public ServiceTarget(Service service, UpstreamCluster cluster) {
    this.service = service;
    this.cluster = cluster;
    boolean https = "https".equals(service.protocol());
    this.hostHeader = UpstreamTarget.hostHeader(service.host(), service.port(), https);
    this.literalAddress =
        cluster == null ? UpstreamTarget.literalAddress(service.host(), service.port()) : null;
    this.retry = RetryPolicy.kong(service.retries());
  }

  /** Kong's retry rules with the service's {@code retries}. */
  public RetryPolicy retry() {
    return retry;
  }

  public Service service() {
    return service;
  }

  /** The upstream to balance over, or null for a plain host. */
  public UpstreamCluster cluster() {
    return cluster;
  }

  /** Host header for a plain-host service. */
  public String hostHeader() {
    return hostHeader;
  }

  /** The address when the service host is an IP literal, else null. */
  public InetSocketAddress literalAddress() {
    return literalAddress;
  }

  public boolean https() {
    return "https".equals(service.protocol());
  }
}
