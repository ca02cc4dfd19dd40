package dev.fulcrum.upstream.balance;

import dev.fulcrum.upstream.UpstreamTarget;

/**
 * Chooses a target for each request. Built once per snapshot from the targets; {@link #pick} is
 * called on event loops, so it reads immutable data plus an atomic step and allocates nothing.
 * Unusable targets (down, draining, weight 0) and avoided ones are skipped.
 */
public interface Balancer {
  /** A usable target not avoided, or null when there is none. */
  UpstreamTarget pick(PickContext context, Avoid avoid);
}
