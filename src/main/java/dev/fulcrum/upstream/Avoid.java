package dev.fulcrum.upstream;


/** Targets a retry must not pick again (HAProxy's redispatch, Envoy's retry host predicate). */
@FunctionalInterface
public interface Avoid {
  Avoid NONE = t -> false;

  boolean avoid(UpstreamTarget target);
}
