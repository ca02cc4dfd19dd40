package dev.fulcrum.model;

/**
 * Which configuration language a runtime object was compiled from. Both run on the same runtime;
 * the dialect only decides the words users already know from that product: log lines, error
 * pages and the status of a failed request.
 */
public enum Dialect {
  KONG,
  HAPROXY
}
