package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Server;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.net.ConnectionLimit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What of a haproxy.cfg outlives a reload besides server and backend states (those are in the
 * node's registry): frontend counters and connection counts, the global cap, and the server
 * settings the last configuration applied.
 */
final class HaState {
  final Map<String, Counters> frontendCounters = new ConcurrentHashMap<>();
  final Map<String, ConnectionLimit> frontendLimits = new ConcurrentHashMap<>();
  final ConnectionLimit global = new ConnectionLimit(0, null);
  /** By server state key: the configuration last applied (only the compiler touches it). */
  volatile Map<String, Server> appliedServers = Map.of();
}
