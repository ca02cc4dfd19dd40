package dev.fulcrum.upstream;

import dev.fulcrum.model.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log lines about servers going up and down, in the words of the backend's dialect: Kong's
 * health checker ("upstream u target t: HEALTHY -> UNHEALTHY (reason)") or HAProxy's
 * (src/server.c, src/check.c: "Server be/srv is DOWN, reason: ..., N active and M backup servers
 * left."), so that users' log alerts keep matching.
 */
final class HealthLog {
  private static final Logger KONG = LoggerFactory.getLogger("healthcheck");
  private static final Logger HAPROXY = LoggerFactory.getLogger("haproxy");

  private HealthLog() {}

  static void transition(Backend b, UpstreamTarget t, boolean up, String reason) {
    if (b.dialect() == Dialect.KONG) {
      KONG.info("upstream {} target {}: {} -> {} ({})", b.name(), t.target(), up ? "UNHEALTHY" : "HEALTHY",
          up ? "HEALTHY" : "UNHEALTHY", reason);
    } else if (up) {
      HAPROXY.info("{} is UP, reason: {}. {} 0 sessions requeued, 0 total in queue.", who(b, t), reason, online(b));
    } else {
      HAPROXY.warn("{} is DOWN, reason: {}. {} {} sessions active, 0 requeued, 0 remaining in queue.",
          who(b, t), reason, left(b), t.state().inFlight());
    }
  }

  static void operator(Backend b, UpstreamTarget t, ServerChange change) {
    String who = who(b, t);
    switch (change) {
      case ENTER_MAINT:
        HAPROXY.warn("{} is going DOWN for maintenance. {} {} sessions active, 0 requeued, 0 remaining in queue.",
            who, left(b), t.state().inFlight());
        break;
      case LEAVE_MAINT:
        HAPROXY.info("{} is UP/READY (leaving forced maintenance).", who);
        break;
      case ENTER_DRAIN:
        HAPROXY.info("{} enters drain state. {}", who, left(b));
        break;
      case LEAVE_DRAIN:
        HAPROXY.info("{} is UP/READY (leaving drain).", who);
        break;
      case HEALTH_UP:
        HAPROXY.info("{} is UP (changed from CLI).", who);
        break;
      case HEALTH_STOPPING:
        HAPROXY.info("{} is stopping (changed from CLI).", who);
        break;
      case HEALTH_DOWN:
        HAPROXY.warn("{} is DOWN (changed from CLI).", who);
        break;
      default:
        break;
    }
  }

  static void noServerLeft(Backend b) {
    if (b.dialect() == Dialect.KONG) {
      KONG.warn("upstream {}: no target left to take traffic", b.name());
    } else {
      HAPROXY.error("backend {} has no server available!", b.name());
    }
  }

  private static String who(Backend b, UpstreamTarget t) {
    return (t.options().backup() ? "Backup Server " : "Server ") + b.name() + "/" + t.options().name();
  }

  private static int[] count(Backend b) {
    int act = 0;
    int bck = 0;
    for (UpstreamTarget t : b.targets()) {
      if (t.usable()) {
        if (t.options().backup()) {
          bck++;
        } else {
          act++;
        }
      }
    }
    return new int[] {act, bck};
  }

  private static String left(Backend b) {
    int[] n = count(b);
    return n[0] + " active and " + n[1] + " backup servers left." + (n[0] == 0 && n[1] > 0 ? " Running on backup." : "");
  }

  private static String online(Backend b) {
    int[] n = count(b);
    return n[0] + " active and " + n[1] + " backup servers online.";
  }
}
