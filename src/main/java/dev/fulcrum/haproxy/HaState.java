package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Server;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.upstream.BackendState;
import dev.fulcrum.metrics.Counters;
import dev.fulcrum.upstream.TargetStates;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What outlives a reload: server health and counters, backend counters and queues, frontend
 * counters and connection counts, and the server settings the last configuration applied.
 */
final class HaState {
  final TargetStates servers = new TargetStates();
  final Map<String, BackendState> backends = new ConcurrentHashMap<>();
  final Map<String, Counters> frontendCounters = new ConcurrentHashMap<>();
  final Map<String, ConnectionLimit> frontendLimits = new ConcurrentHashMap<>();
  final ConnectionLimit global = new ConnectionLimit(0, null);
  /** By server state key: the configuration last applied (only the compiler touches it). */
  volatile Map<String, Server> appliedServers = Map.of();
}
