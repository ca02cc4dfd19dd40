package dev.fulcrum.runtime;

import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.Plugin;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Vault;
import dev.fulcrum.model.Vaults;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.bundled.Bundled;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compiles the configured plugins into each route's chain of steps, in Kong's priority order
 * (higher first), with Kong's precedence when one plugin name is configured at several scopes:
 * consumer+route+service, consumer+route, consumer+service, route+service, consumer, route,
 * service, global. The consumer-scoped choices are made once a request has authenticated, by one
 * map read; everything else is decided here, so a request looks nothing up by name.
 */
final class PluginChains {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PluginChains.class);

  private final Bundled.NodeState state;
  private final List<HttpStep> serviceSteps;
  private final Map<String, String> environment;

  PluginChains(Bundled.NodeState state, List<HttpStep> serviceSteps, Map<String, String> environment) {
    this.state = state;
    this.environment = environment;
    this.serviceSteps = serviceSteps;
  }

  /** The chains of the routes that have plugins (their steps, then the service steps). */
  Map<String, List<HttpStep>> compile(Collection<Route> routes, Collection<Plugin> plugins, Credentials credentials,
      Collection<Vault> vaults) {
    if (plugins.isEmpty()) {
      return Map.of();
    }
    Bundled.Env env = new Bundled.Env(credentials, state);
    Map<String, HttpStep> steps = new HashMap<>();
    Map<String, List<Plugin>> byName = new TreeMap<>();
    for (Plugin p : plugins) {
      if (p.enabled() && p.http()) {
        steps.put(p.id(), step(p, env, secrets(vaults)));
        byName.computeIfAbsent(p.name(), n -> new ArrayList<>()).add(p);
      }
    }
    Map<String, List<HttpStep>> chains = new HashMap<>();
    for (Route route : routes) {
      List<Slot> slots = new ArrayList<>();
      for (Map.Entry<String, List<Plugin>> e : byName.entrySet()) {
        Slot slot = slot(e.getKey(), e.getValue(), route, steps);
        if (slot != null) {
          slots.add(slot);
        }
      }
      if (slots.isEmpty()) {
        continue;
      }
      slots.sort(Comparator.comparingInt(Slot::priority).reversed());
      List<HttpStep> chain = new ArrayList<>();
      for (Slot s : slots) {
        chain.add(s.byConsumer.isEmpty() ? s.fallback : s);
      }
      chain.addAll(serviceSteps);
      chains.put(route.id(), List.copyOf(chain));
    }
    return chains;
  }

  private Vaults secrets(Collection<Vault> vaults) {
    Map<String, String> prefixes = new HashMap<>();
    for (Vault v : vaults) {
      if ("env".equals(v.name())) {
        prefixes.put(v.prefix(), v.envPrefix());
      }
    }
    return new Vaults(environment, prefixes);
  }

  /**
   * A plugin's step with its vault references read. A reference that cannot be read fails the
   * plugin closed: its requests are answered 500, never let through without it.
   */
  private HttpStep step(Plugin p, Bundled.Env env, Vaults secrets) {
    try {
      Plugin resolved = new Plugin(p.id(), p.name(), p.routeId(), p.serviceId(), p.consumerId(), p.enabled(),
          p.protocols(), secrets.resolve(p.config()));
      return Bundled.step(resolved, env);
    } catch (IllegalArgumentException e) {
      LOG.error("plugin {} ({}) cannot be used: {}", p.name(), p.id(), e.getMessage());
      return new HttpStep() {
        @Override
        public Flow onRequest(StepContext ctx) {
          ctx.error(500, "An unexpected error occurred", null);
          return Flow.STOP;
        }
      };
    }
  }

  /** The instance of one plugin name for {@code route}: the most specific one, per consumer. */
  private static Slot slot(String name, List<Plugin> all, Route route, Map<String, HttpStep> steps) {
    Plugin fallback = null;
    int fallbackRank = Integer.MAX_VALUE;
    Map<String, Plugin> byConsumer = new HashMap<>();
    Map<String, Integer> consumerRank = new HashMap<>();
    for (Plugin p : all) {
      int rank = rank(p, route);
      if (rank < 0) {
        continue;
      }
      if (p.consumerId() == null) {
        if (rank < fallbackRank) {
          fallback = p;
          fallbackRank = rank;
        }
      } else if (rank < consumerRank.getOrDefault(p.consumerId(), Integer.MAX_VALUE)) {
        byConsumer.put(p.consumerId(), p);
        consumerRank.put(p.consumerId(), rank);
      }
    }
    if (fallback == null && byConsumer.isEmpty()) {
      return null;
    }
    Map<String, HttpStep> consumerSteps = new HashMap<>();
    for (Map.Entry<String, Plugin> e : byConsumer.entrySet()) {
      // A consumer's own instance only wins over a more specific one without a consumer when
      // its rank is better (consumer alone ranks after route+service).
      if (consumerRank.get(e.getKey()) < fallbackRank) {
        consumerSteps.put(e.getKey(), steps.get(e.getValue().id()));
      }
    }
    if (fallback == null && consumerSteps.isEmpty()) {
      return null;
    }
    return new Slot(Bundled.priority(name), fallback == null ? null : steps.get(fallback.id()), Map.copyOf(consumerSteps));
  }

  /**
   * Kong's precedence, 0 the most specific; -1 when the plugin does not apply to the route:
   * consumer+route+service 0, consumer+route 1, consumer+service 2, route+service 3, consumer 4,
   * route 5, service 6, global 7.
   */
  static int rank(Plugin p, Route route) {
    boolean r = p.routeId() != null;
    boolean s = p.serviceId() != null;
    boolean c = p.consumerId() != null;
    if ((r && !p.routeId().equals(route.id())) || (s && !p.serviceId().equals(route.serviceId()))) {
      return -1;
    }
    if (c && r && s) {
      return 0;
    }
    if (c && r) {
      return 1;
    }
    if (c && s) {
      return 2;
    }
    if (r && s) {
      return 3;
    }
    if (c) {
      return 4;
    }
    if (r) {
      return 5;
    }
    return s ? 6 : 7;
  }

  /**
   * One plugin name on one route when some consumer has an instance of its own: after
   * authentication the consumer's instance runs, else the route's (if any).
   */
  private record Slot(int priority, HttpStep fallback, Map<String, HttpStep> byConsumer) implements HttpStep {
    private HttpStep pick(StepContext ctx) {
      Consumer c = ctx.consumer();
      HttpStep own = c == null ? null : byConsumer.get(c.id());
      return own != null ? own : fallback;
    }

    @Override
    public Flow onRequest(StepContext ctx) {
      HttpStep s = pick(ctx);
      return s == null ? Flow.CONTINUE : s.onRequest(ctx);
    }

    @Override
    public void onResponse(StepContext ctx, HttpResponse response) {
      HttpStep s = pick(ctx);
      if (s != null) {
        s.onResponse(ctx, response);
      }
    }

    @Override
    public void onLog(StepContext ctx) {
      HttpStep s = pick(ctx);
      if (s != null) {
        s.onLog(ctx);
      }
    }
  }
}
