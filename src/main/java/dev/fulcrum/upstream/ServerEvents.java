package dev.fulcrum.upstream;

/**
 * Told when a server comes back or leaves maintenance, so that whoever runs checks and timers
 * (the node's health checker) can probe it at once and ramp its slowstart weight.
 */
public interface ServerEvents {
  ServerEvents NONE = new ServerEvents() {};

  /** {@code target} went up; its weight may ramp from now on. */
  default void cameUp(Backend backend, UpstreamTarget target) {}

  /** {@code target} left maintenance: HAProxy checks it at once. */
  default void leftMaintenance(Backend backend, UpstreamTarget target) {}
}
