package dev.fulcrum.metrics;

/** A node's client traffic as Kong's {@code /status} reports it. */
public interface Traffic {
  long accepted();

  /** Client connections open now. */
  int connections();

  /** Requests being served now. */
  int requests();

  long totalRequests();
}
