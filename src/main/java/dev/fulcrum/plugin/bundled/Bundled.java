package dev.fulcrum.plugin.bundled;

import dev.fulcrum.model.Plugin;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.correlationid.CorrelationId;
import dev.fulcrum.plugin.cors.Cors;
import dev.fulcrum.plugin.iprestriction.IpRestriction;
import dev.fulcrum.plugin.keyauth.KeyAuth;
import dev.fulcrum.plugin.ratelimiting.LocalCounters;
import dev.fulcrum.plugin.ratelimiting.RateLimiting;
import dev.fulcrum.plugin.requestsizelimiting.RequestSizeLimiting;
import dev.fulcrum.plugin.requesttermination.RequestTermination;

/**
 * The runtime of each bundled plugin: its step for a configured instance, and its priority (Kong's
 * PRIORITY: higher runs first). Their schemas are in {@code model.PluginSchemas}.
 */
public final class Bundled {
  private Bundled() {}

  /** What a plugin's step may use besides its own configuration. */
  public record Env(Credentials credentials, LocalCounters counters) {}

  public static HttpStep step(Plugin p, Env env) {
    return switch (p.name()) {
      case "key-auth" -> new KeyAuth(p.config(), env.credentials());
      case "rate-limiting" -> new RateLimiting(p.config(), p.routeId(), p.serviceId(), env.counters());
      case "cors" -> new Cors(p.config());
      case "correlation-id" -> new CorrelationId(p.config());
      case "ip-restriction" -> new IpRestriction(p.config());
      case "request-size-limiting" -> new RequestSizeLimiting(p.config());
      case "request-termination" -> new RequestTermination(p.config());
      default -> throw new IllegalStateException("no runtime for plugin " + p.name());
    };
  }

  public static int priority(String name) {
    return switch (name) {
      case "key-auth" -> KeyAuth.PRIORITY;
      case "rate-limiting" -> RateLimiting.PRIORITY;
      case "cors" -> Cors.PRIORITY;
      case "correlation-id" -> CorrelationId.PRIORITY;
      case "ip-restriction" -> IpRestriction.PRIORITY;
      case "request-size-limiting" -> RequestSizeLimiting.PRIORITY;
      case "request-termination" -> RequestTermination.PRIORITY;
      default -> 0;
    };
  }
}
