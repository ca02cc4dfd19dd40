package dev.fulcrum.haproxy;

import dev.fulcrum.runtimeapi.RuntimeModel.Change;
import dev.fulcrum.runtimeapi.RuntimeModel.ServerView;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.health.ServerChecks;
import io.netty.channel.Channel;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a server changes state, by a check or by a runtime API command: the log line
 * in HAProxy's words (src/server.c, src/check.c), its sessions shut when it asked for that, the
 * backend's own up/down record, and queued sessions woken when capacity returns.
 */
final class Events {
  private static final Logger LOG = LoggerFactory.getLogger("haproxy");

  private final Supplier<Compiler.Compiled> current;
  private final ServerChecks checks;

  Events(Supplier<Compiler.Compiled> current, ServerChecks checks) {
    this.current = current;
    this.checks = checks;
  }

  private HaBackend backendOf(UpstreamTarget t) {
    Compiler.Compiled c = current.get();
    if (c == null || !t.upstreamId().startsWith("haproxy/")) {
      return null;
    }
    return c.backends().get(t.upstreamId().substring("haproxy/".length()));
  }

  private static String who(HaBackend b, UpstreamTarget t) {
    return (t.options().backup() ? "Backup Server " : "Server ") + b.name() + "/" + t.options().name();
  }

  /** A check moved a server up or down (on the checks' loop). */
  void checkChanged(UpstreamTarget t, boolean up, String reason) {
    HaBackend b = backendOf(t);
    if (b == null) {
      return;
    }
    if (up) {
      LOG.info("{} is UP, reason: {}. {} 0 sessions requeued, 0 total in queue.", who(b, t), reason, online(b.backend));
      cameUp(b);
    } else {
      LOG.warn("{} is DOWN, reason: {}. {} {} sessions active, 0 requeued, 0 remaining in queue.",
          who(b, t), reason, left(b.backend), t.state().inFlight());
      wentDown(b, t);
    }
  }

  /** A runtime API command changed a server. */
  void adminChanged(ServerView s, Change change) {
    UpstreamTarget t = s.target();
    HaBackend b = backendOf(t);
    String who = b != null ? who(b, t) : "Server " + t.upstreamId() + "/" + t.options().name();
    Backend backend = b != null ? b.backend : null;
    switch (change) {
      case ENTER_MAINT:
        LOG.warn("{} is going DOWN for maintenance. {} {} sessions active, 0 requeued, 0 remaining in queue.",
            who, backend == null ? "" : left(backend), t.state().inFlight());
        if (b != null) {
          wentDown(b, t);
        }
        return;
      case LEAVE_MAINT:
        LOG.info("{} is UP/READY (leaving forced maintenance).", who);
        if (s.checked()) {
          // "Start OK but check immediately" (HAProxy resets the check health to rise).
          t.state().forceCheckHealth(s.rise(), true, "leaving forced maintenance");
          checks.checkSoon(t);
        }
        t.state().restarted();
        break;
      case ENTER_DRAIN:
        LOG.info("{} enters drain state. {}", who, backend == null ? "" : left(backend));
        break;
      case LEAVE_DRAIN:
        LOG.info("{} is UP/READY (leaving drain).", who);
        break;
      case HEALTH_UP:
        LOG.info("{} is UP (changed from CLI).", who);
        break;
      case HEALTH_STOPPING:
        LOG.info("{} is stopping (changed from CLI).", who);
        break;
      case HEALTH_DOWN:
        LOG.warn("{} is DOWN (changed from CLI).", who);
        if (b != null) {
          wentDown(b, t);
        }
        return;
      default:
        break;
    }
    if (b != null) {
      cameUp(b);
    }
  }

  private void wentDown(HaBackend b, UpstreamTarget t) {
    if (t.options().shutdownSessionsOnDown()) {
      Set<Channel> sessions = b.backend.state().sessions(t.options().name());
      for (Channel ch : sessions) {
        ch.close();
      }
    }
    record(b);
  }

  private void cameUp(HaBackend b) {
    record(b);
    int queued = b.backend.state().queue().size();
    if (queued > 0) {
      b.backend.state().queue().wake(queued);
    }
  }

  /** Keeps the backend's own up/down record; says so when nothing is left. */
  private static void record(HaBackend b) {
    boolean any = b.backend.anyUsable();
    if (b.backend.state().setUp(any) && !any) {
      LOG.error("backend {} has no server available!", b.name());
    }
  }

  private static int[] count(Backend b) {
    int act = 0;
    int bck = 0;
    for (UpstreamTarget t : b.servers()) {
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
