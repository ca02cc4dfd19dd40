package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.runtimeapi.RuntimeModel.BackendView;
import dev.fulcrum.runtimeapi.RuntimeModel.ServerView;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.health.ServerChecks;
import java.util.List;

/** A backend (or listen) section as the running configuration has it. */
final class HaBackend {
  final Proxy config;
  final Backend backend;
  final List<ServerView> servers;
  final List<ServerChecks.Checked> checks;
  final BackendView view;

  HaBackend(Proxy config, Backend backend, List<ServerView> servers, List<ServerChecks.Checked> checks,
      int fullconn, boolean staticWeights) {
    this.config = config;
    this.backend = backend;
    this.servers = servers;
    this.checks = checks;
    this.view = new BackendView(backend, fullconn, staticWeights, servers);
  }

  String name() {
    return config.name();
  }
}
