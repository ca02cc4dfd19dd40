package dev.fulcrum.upstream.health;

import dev.fulcrum.net.Transport;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy's health checks (src/check.c): each checked server is probed every {@code inter}
 * ({@code fastinter} while in transition, {@code downinter} while fully down), one probe in
 * flight at a time, on an event loop of their own. Results move the server's check health
 * ({@link TargetState#reportCheck}); a server in maintenance is not probed. First checks are spread
 * over one interval, as HAProxy does at start-up.
 */
public final class ServerChecks implements AutoCloseable {
  /** Told about every UP/DOWN (or NOLB) change a check causes. */
  public interface Listener {
    void changed(UpstreamTarget server, boolean up, String reason);
  }

  /** A server to check, how, and who hears about changes. */
  public record Checked(UpstreamTarget server, CheckSpec spec, Listener listener) {}

  private final EventLoopGroup group = Transport.group(1, "fulcrum-checks");
  private final EventLoop loop = group.next();
  private final Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannel());
  /** Probers by target state key; touched only on {@link #loop}. */
  private final Map<String, Prober> probers = new HashMap<>();

  /** Checks exactly these servers from now on; a server checked before keeps its schedule. */
  public void replace(List<Checked> servers) {
    loop.execute(() -> apply(servers));
  }

  private void apply(List<Checked> servers) {
    Set<String> keep = new HashSet<>();
    List<Prober> fresh = new ArrayList<>();
    for (Checked c : servers) {
      String key = c.server().state().key();
      keep.add(key);
      Prober old = probers.get(key);
      if (old != null) {
        old.checked = c;
      } else {
        Prober p = new Prober(c);
        probers.put(key, p);
        fresh.add(p);
      }
    }
    probers.entrySet().removeIf(e -> {
      if (!keep.contains(e.getKey())) {
        e.getValue().stop();
        return true;
      }
      return false;
    });
    for (int i = 0; i < fresh.size(); i++) {
      Prober p = fresh.get(i);
      p.checked.server().state().startChecks(p.checked.spec().rise());
      // HAProxy's start_checks(): server i of n starts i/n into the first interval.
      p.schedule(p.checked.spec().interMillis() * i / fresh.size());
    }
  }

  /** Probes a server at once (it left maintenance and should be confirmed). */
  public void checkSoon(UpstreamTarget server) {
    loop.execute(() -> {
      Prober p = probers.get(server.state().key());
      if (p != null) {
        p.schedule(0);
      }
    });
  }

  /** Number of servers being checked (tests). */
  public int checking() {
    return probers.size();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /** The check loop of one server. */
  private final class Prober {
    private Checked checked;
    private ScheduledFuture<?> next;
    private boolean inFlight;
    private boolean stopped;

    Prober(Checked checked) {
      this.checked = checked;
    }

    void schedule(long delayMillis) {
      if (stopped || inFlight) {
        return;
      }
      if (next != null) {
        next.cancel(false);
      }
      next = loop.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
    }

    void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }

    private void run() {
      next = null;
      if (stopped) {
        return;
      }
      TargetState state = checked.server().state();
      CheckSpec spec = checked.spec();
      if ((state.flags() & TargetState.MAINT) != 0) {
        // Checks pause during maintenance.
        schedule(spec.interMillis());
        return;
      }
      inFlight = true;
      Checked c = checked;
      Probe.run(bootstrap, spec.address(), spec.probe(), loop, result -> {
        inFlight = false;
        if (stopped) {
          return;
        }
        report(c, result);
        schedule(spec.interval(state.checkHealth(), state.health().up()));
      });
    }
  }

  /** Maps a probe result to HAProxy's check statuses and moves the check health. */
  static void report(Checked c, Probe.Result r) {
    CheckSpec spec = c.spec();
    TargetState state = c.server().state();
    boolean passed;
    boolean stopping = false;
    String status;
    String desc;
    String info = null;
    int code = 0;
    switch (r.kind()) {
      case CONNECTED:
        passed = true;
        status = "L4OK";
        desc = "Layer4 check passed";
        break;
      case STATUS:
        code = r.status();
        if (spec.disableOn404() && code == 404) {
          passed = true;
          stopping = true;
          status = "L7OKC";
          desc = "Layer7 check conditionally passed";
        } else if (spec.statusPasses(code)) {
          passed = true;
          status = "L7OK";
          desc = "Layer7 check passed";
        } else {
          passed = false;
          status = "L7STS";
          desc = "Layer7 wrong status";
        }
        break;
      case TIMEOUT:
        passed = false;
        status = r.connected() ? "L7TOUT" : "L4TOUT";
        desc = r.connected() ? "Layer7 timeout" : "Layer4 timeout";
        break;
      default:
        passed = false;
        status = r.connected() ? "L7RSP" : "L4CON";
        desc = r.connected() ? "Layer7 invalid response" : "Layer4 connection problem";
        info = r.detail();
    }
    boolean wasStopping = (state.flags() & TargetState.STOPPING) != 0;
    boolean changed =
        state.reportCheck(passed, spec.rise(), spec.fall(), status, desc, info, code, r.durationMillis());
    if (passed && stopping != wasStopping && state.checkHealth() >= spec.rise()) {
      state.setFlag(TargetState.STOPPING, stopping);
      changed = true;
    }
    if (changed) {
      c.listener().changed(c.server(), state.usable(), state.lastReason());
    }
  }
}
