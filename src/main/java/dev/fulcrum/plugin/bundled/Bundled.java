package dev.fulcrum.plugin.bundled;

import dev.fulcrum.model.Plugin;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.keyauth.KeyAuth;
import dev.fulcrum.plugin.proxycache.CacheStore;
import dev.fulcrum.plugin.proxycache.ProxyCache;
import dev.fulcrum.plugin.ratelimiting.LocalCounters;
import dev.fulcrum.plugin.ratelimiting.RateLimiting;

/**
 * The runtime of each bundled plugin: its step for a configured instance, and its priority (Kong's
 * PRIORITY: higher runs first). Their schemas are in {@code model.PluginSchemas}.
 */
public final class Bundled {
  private Bundled() {}

  /**
   * The plugins' state that outlives configurations: rate-limiting's counts, proxy-cache's
   * entries. One per node.
   */
  public record NodeState(LocalCounters counters, CacheStore cache) {
    /** @param cacheBytes what proxy-cache's memory strategy may hold (mem_cache_size) */
    public static NodeState create(long cacheBytes) {
      return new NodeState(new LocalCounters(), new CacheStore(cacheBytes));
    }
  }

  /** What a plugin's step may use besides its own configuration. */
  public record Env(Credentials credentials, NodeState state) {}

  public static HttpStep step(Plugin p, Env env) {
    return switch (p.name()) {
      case "key-auth" -> new KeyAuth(p.config(), env.credentials());
      case "rate-limiting" -> new RateLimiting(p.config(), p.routeId(), p.serviceId(), env.state().counters());
      case "proxy-cache" -> new ProxyCache(p.id(), p.config(), env.state().cache());
      default -> throw new IllegalStateException("no runtime for plugin " + p.name());
    };
  }

  public static int priority(String name) {
    return switch (name) {
      case "key-auth" -> KeyAuth.PRIORITY;
      case "rate-limiting" -> RateLimiting.PRIORITY;
      case "proxy-cache" -> ProxyCache.PRIORITY;
      default -> 0;
    };
  }
}
