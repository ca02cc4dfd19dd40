package dev.fulcrum.upstream.health;

import dev.fulcrum.model.Dialect;
import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.net.Transport;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.CheckSpec;
import dev.fulcrum.upstream.ServerEvents;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one health checker, for both dialects, on an event loop of its own (never a proxy
 * loop). Every checked target has one probe loop: at most one probe in flight, the next one
 * scheduled when it ends, so probes cannot pile up. What a probe sends, how often, and what its
 * result means follow the target's backend: Kong's active checks (healthy and unhealthy
 * intervals, at most {@code concurrency} probes per upstream, results counted against Kong's
 * thresholds) or HAProxy's {@code check} (inter, fastinter, downinter, rise and fall, L4/L7 check
 * statuses, none while in maintenance, first checks spread over one interval). Probers follow
 * configuration snapshots and keep their schedule across them; results go to the long-lived
 * target states. It also runs the slowstart ramps of servers that come back.
 */
public final class HealthChecker implements ServerEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);
  /** How often an idle Kong prober (interval 0 in the current state) looks again. */
  private static final long IDLE_RECHECK_MILLIS = 500;

  private final EventLoopGroup group = Transport.group(1, "fulcrum-checks");
  private final EventLoop loop = group.next();
  private final DnsAddressResolverGroup resolvers =
      new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(Transport.datagramChannel()));
  private final Bootstrap bootstrap = new Bootstrap().group(loop).channel(Transport.socketChannel());
  /** Probers by target state key; touched only on {@link #loop}. */
  private final Map<String, Prober> probers = new HashMap<>();
  /** Kong probes in flight per upstream (by its long-lived state); touched only on {@link #loop}. */
  private final Map<Object, int[]> running = new IdentityHashMap<>();
  /** The backend each target belongs to now, by state key (for slowstart ramps). */
  private volatile Map<String, Backend> owners = Map.of();
  /** The TLS contexts of Kong's https probes. */
  private final TlsContexts tls;

  public HealthChecker() {
    this(TlsContexts.defaults());
  }

  public HealthChecker(TlsContexts tls) {
    this.tls = tls;
  }

  /** Follows a new set of backends (called with each configuration snapshot). */
  public void accept(Iterable<Backend> backends) {
    List<Prober> wanted = new ArrayList<>();
    Map<String, Backend> owned = new HashMap<>();
    for (Backend b : backends) {
      boolean kongActive = kongActive(b);
      for (UpstreamTarget t : b.targets()) {
        owned.put(t.state().key(), b);
        if ((kongActive && t.weight() > 0) || t.checked()) {
          wanted.add(new Prober(b, t));
        }
      }
    }
    owners = owned;
    loop.execute(() -> replace(wanted));
  }

  private static boolean kongActive(Backend b) {
    if (b.dialect() != Dialect.KONG || !b.health().activeEnabled()) {
      return false;
    }
    String type = b.health().config().active().type();
    return !type.equals("grpc") && !type.equals("grpcs");
  }

  private void replace(List<Prober> wanted) {
    Set<String> keep = new HashSet<>();
    List<Prober> fresh = new ArrayList<>();
    for (Prober p : wanted) {
      String key = p.target.state().key();
      keep.add(key);
      Prober old = probers.get(key);
      if (old != null) {
        // Same target: carry on with the new settings, keeping the schedule.
        old.backend = p.backend;
        old.target = p.target;
      } else {
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
    int haproxy = 0;
    for (Prober p : fresh) {
      if (p.target.checked()) {
        haproxy++;
      }
    }
    int i = 0;
    for (Prober p : fresh) {
      CheckSpec c = p.target.options().check();
      if (c != null) {
        p.target.state().check().start(c.rise());
        // HAProxy's start_checks(): server i of n starts i/n into the first interval.
        p.schedule(c.interMillis() * i++ / haproxy);
      } else {
        p.schedule(0);
      }
    }
  }

  /** Probes a server at once (it left maintenance and should be confirmed). */
  public void checkSoon(UpstreamTarget target) {
    loop.execute(() -> {
      Prober p = probers.get(target.state().key());
      if (p != null) {
        p.schedule(0);
      }
    });
  }

  @Override
  public void leftMaintenance(Backend backend, UpstreamTarget target) {
    if (target.checked()) {
      checkSoon(target);
    }
  }

  /**
   * A server came back: while its slowstart ramps its weight up, the backend's balancer is laid
   * out again every twentieth of the ramp, at least a second apart (HAProxy's server_warmup).
   */
  @Override
  public void cameUp(Backend backend, UpstreamTarget target) {
    long ss = target.options().slowstartMillis();
    if (ss > 0) {
      long step = Math.max(1000, ss / 20);
      loop.schedule(() -> ramp(target.state().key(), step), step, TimeUnit.MILLISECONDS);
    }
  }

  private void ramp(String key, long step) {
    Backend b = owners.get(key);
    UpstreamTarget t = b == null ? null : b.target(targetOf(b, key));
    if (t == null) {
      return;
    }
    b.update();
    if (t.throttlePercent() < 100) {
      loop.schedule(() -> ramp(key, step), step, TimeUnit.MILLISECONDS);
    }
  }

  private static String targetOf(Backend b, String stateKey) {
    for (UpstreamTarget t : b.targets()) {
      if (t.state().key().equals(stateKey)) {
        return t.target();
      }
    }
    return null;
  }

  /** Number of targets being probed (tests and stats). */
  public int probing() {
    return probers.size();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    resolvers.close();
  }

  /** The probe loop of one target. */
  private final class Prober {
    private Backend backend;
    private UpstreamTarget target;
    private ScheduledFuture<?> next;
    private boolean stopped;
    private boolean inFlight;

    Prober(Backend backend, UpstreamTarget target) {
      this.backend = backend;
      this.target = target;
    }

    void schedule(long delayMillis) {
      if (stopped || inFlight) {
        return;
      }
      if (next != null) {
        next.cancel(false);
      }
      next = loop.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
    }

    void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }

    private void tick() {
      next = null;
      if (stopped || inFlight) {
        return;
      }
      if (target.checked()) {
        haproxyCheck();
      } else {
        kongProbe();
      }
    }

    // --------------------------------------------------------------- HAProxy

    private void haproxyCheck() {
      UpstreamTarget t = target;
      Backend b = backend;
      CheckSpec spec = t.options().check();
      TargetState state = t.state();
      if (state.has(TargetState.MAINT)) {
        // Checks pause during maintenance.
        schedule(spec.interMillis());
        return;
      }
      inFlight = true;
      Probe.run(bootstrap, spec.address(), spec.probe(), loop, result -> {
        inFlight = false;
        if (stopped) {
          return;
        }
        report(b, t, spec, result);
        schedule(spec.interval(state.check().health(), state.up()));
      });
    }

    // ------------------------------------------------------------------ Kong

    private void kongProbe() {
      Backend b = backend;
      UpstreamTarget t = target;
      Healthchecks.Active a = b.health().config().active();
      double interval = t.state().up() ? a.healthyInterval() : a.unhealthyInterval();
      if (interval <= 0) {
        schedule(IDLE_RECHECK_MILLIS);
        return;
      }
      int[] slots = running.computeIfAbsent(b.state(), k -> new int[1]);
      if (slots[0] >= a.concurrency()) {
        schedule(20);
        return;
      }
      slots[0]++;
      inFlight = true;
      long started = System.nanoTime();
      resolve(t, address -> {
        if (address == null) {
          finish(slots, started, interval, () -> b.probeFailed(t, false));
          return;
        }
        Probe.run(bootstrap, address, Probe.kong(a, t, tls), loop,
            result -> finish(slots, started, interval, () -> report(b, t, result)));
      });
    }

    private void finish(int[] slots, long started, double interval, Runnable report) {
      slots[0]--;
      inFlight = false;
      if (stopped) {
        return;
      }
      report.run();
      long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      schedule(Math.max(0, (long) (interval * 1000) - spent));
    }

    private void resolve(UpstreamTarget t, Consumer<InetSocketAddress> then) {
      if (t.address() != null) {
        then.accept(t.address());
        return;
      }
      AddressResolver<InetSocketAddress> r = resolvers.getResolver(loop);
      r.resolve(InetSocketAddress.createUnresolved(t.host(), t.port()))
          .addListener(f -> then.accept(f.isSuccess() ? (InetSocketAddress) f.getNow() : null));
    }
  }

  private static void report(Backend b, UpstreamTarget t, Probe.Result r) {
    switch (r.kind()) {
      case STATUS:
        b.probedStatus(t, r.status());
        break;
      case CONNECTED:
        b.probedConnected(t);
        break;
      case TIMEOUT:
        b.probeFailed(t, true);
        break;
      default:
        LOG.debug("probe of {} failed: {}", t, r.detail());
        b.probeFailed(t, false);
    }
  }

  /** Maps a check result to HAProxy's check statuses (src/check.c) and reports it. */
  static void report(Backend b, UpstreamTarget t, CheckSpec spec, Probe.Result r) {
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
    b.checked(t, passed, stopping, status, desc, info, code, r.durationMillis());
  }
}
