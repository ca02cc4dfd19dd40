package dev.fulcrum.upstream;

/**
 * Chooses a target for each request. Built once per snapshot from the targets; {@link #pick} is
 * called on event loops, so it reads immutable data plus an atomic step and allocates nothing.
 * Unusable targets (down, draining, weight 0) and avoided ones are skipped. Algorithms that lay
 * out their picks ahead (HAProxy's weighted round robin, maps and rings) do it in {@link #update},
 * which the backend calls whenever a target's health, weight or admin state changes (HAProxy
 * updates its trees on a server's state change, never on a pick).
 */
public interface Balancer {
  /** A usable target not avoided, or null when there is none. */
  UpstreamTarget pick(PickContext context, Avoid avoid);

  /** A target's health, weight or admin state changed: rebuild what the picks read. */
  default void update() {}
}
