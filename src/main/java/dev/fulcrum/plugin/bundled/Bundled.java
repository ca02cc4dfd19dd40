package dev.fulcrum.plugin.bundled;

import dev.fulcrum.model.Plugin;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.acl.AclStep;
import dev.fulcrum.plugin.basicauth.BasicAuth;
import dev.fulcrum.plugin.correlationid.CorrelationId;
import dev.fulcrum.plugin.cors.Cors;
import dev.fulcrum.plugin.iprestriction.IpRestriction;
import dev.fulcrum.plugin.keyauth.KeyAuth;
import dev.fulcrum.plugin.proxycache.CacheStore;
import dev.fulcrum.plugin.proxycache.ProxyCache;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.plugin.ratelimiting.Counts;
import dev.fulcrum.plugin.ratelimiting.LocalCounters;
import dev.fulcrum.plugin.ratelimiting.RedisCounts;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import dev.fulcrum.plugin.ratelimiting.RateLimiting;
import dev.fulcrum.plugin.requestsizelimiting.RequestSizeLimiting;
import dev.fulcrum.plugin.requesttermination.RequestTermination;
import dev.fulcrum.plugin.requesttransformer.RequestTransformer;
import dev.fulcrum.plugin.responsetransformer.ResponseTransformer;

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
  public record NodeState(LocalCounters counters, Counts cluster, CacheStore cache,
      Map<RedisCounts.Server, RedisCounts> redis) implements AutoCloseable {
    /** A node without a database: the cluster policy counts on the node, as local does. */
    public static NodeState create(long cacheBytes) {
      return create(cacheBytes, null);
    }

    /**
     * @param cacheBytes what proxy-cache's memory strategy may hold (mem_cache_size)
     * @param cluster the counts in the cluster's database, or null
     */
    public static NodeState create(long cacheBytes, Counts cluster) {
      LocalCounters local = new LocalCounters();
      return new NodeState(local, cluster == null ? local : cluster, new CacheStore(cacheBytes), new ConcurrentHashMap<>());
    }

    /** The counts on one Redis server, shared by the plugins that name it. */
    public RedisCounts redis(RedisCounts.Server server) {
      return redis.computeIfAbsent(server, RedisCounts::new);
    }

    @Override
    public void close() {
      redis.values().forEach(RedisCounts::close);
      redis.clear();
      if (cluster instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing threads of our own: nothing to report.
        }
      }
    }
  }

  /** What a plugin's step may use besides its own configuration. */
  public record Env(Credentials credentials, NodeState state) {}

  public static HttpStep step(Plugin p, Env env) {
    return switch (p.name()) {
      case "key-auth" -> new KeyAuth(p.config(), env.credentials());
      case "rate-limiting" -> new RateLimiting(p.config(), p.routeId(), p.serviceId(), counts(p, env.state()));
      case "proxy-cache" -> new ProxyCache(p.id(), p.config(), env.state().cache());
      case "basic-auth" -> new BasicAuth(p.config(), env.credentials());
      case "acl" -> new AclStep(p.config(), env.credentials());
      case "cors" -> new Cors(p.config());
      case "correlation-id" -> new CorrelationId(p.config());
      case "ip-restriction" -> new IpRestriction(p.config());
      case "request-size-limiting" -> new RequestSizeLimiting(p.config());
      case "request-termination" -> new RequestTermination(p.config());
      case "request-transformer" -> new RequestTransformer(p.config());
      case "response-transformer" -> new ResponseTransformer(p.config());
      default -> throw new IllegalStateException("no runtime for plugin " + p.name());
    };
  }

  /** Where a rate-limiting instance keeps its counts, by its policy. */
  private static Counts counts(Plugin p, NodeState state) {
    String policy = p.config().path("policy").asText("local");
    if (policy.equals("cluster")) {
      return state.cluster();
    }
    if (!policy.equals("redis")) {
      return state.counters();
    }
    JsonNode r = p.config().path("redis");
    return state.redis(new RedisCounts.Server(r.path("host").asText(), r.path("port").asInt(6379),
        r.path("database").asInt(0), text(r, "username"), text(r, "password"), r.path("ssl").asBoolean(false),
        r.path("ssl_verify").asBoolean(false), r.path("timeout").asLong(2000)));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  public static int priority(String name) {
    return switch (name) {
      case "key-auth" -> KeyAuth.PRIORITY;
      case "rate-limiting" -> RateLimiting.PRIORITY;
      case "proxy-cache" -> ProxyCache.PRIORITY;
      case "basic-auth" -> BasicAuth.PRIORITY;
      case "acl" -> AclStep.PRIORITY;
      case "cors" -> Cors.PRIORITY;
      case "correlation-id" -> CorrelationId.PRIORITY;
      case "ip-restriction" -> IpRestriction.PRIORITY;
      case "request-size-limiting" -> RequestSizeLimiting.PRIORITY;
      case "request-termination" -> RequestTermination.PRIORITY;
      case "request-transformer" -> RequestTransformer.PRIORITY;
      case "response-transformer" -> ResponseTransformer.PRIORITY;
      default -> 0;
    };
  }
}
