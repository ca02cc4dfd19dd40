package dev.fulcrum.upstream.health;

import dev.fulcrum.model.Healthchecks;
import dev.fulcrum.net.Transport;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamCluster;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: one probe loop per target of every upstream with an active interval, all
 * on one event loop of their own (never a proxy loop). A target has at most one probe in flight
 * and the next one is scheduled only when it ends, so probes cannot pile up; an upstream runs at
 * most {@code concurrency} probes at once. Probes follow configuration snapshots; their results
 * go to the long-lived target states, so restarting a probe loses nothing.
 */
public final class ActiveChecks implements Consumer<Iterable<UpstreamCluster>>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActiveChecks.class);
  /** How often an idle prober (interval 0 in the current state) looks again. */
  private static final long IDLE_RECHECK_MILLIS = 500;

  private final EventLoopGroup group = Transport.group(1, "fulcrum-health");
  private final EventLoop loop = group.next();
  private final DnsAddressResolverGroup resolvers =
      new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(Transport.datagramChannel()));
  private final Bootstrap bootstrap =
      new Bootstrap().group(loop).channel(Transport.socketChannel());
  /** Probers by target state key; touched only on {@link #loop}. */
  private final Map<String, Prober> probers = new HashMap<>();
  /** Probes in flight per upstream id; touched only on {@link #loop}. */
  private final Map<String, int[]> running = new HashMap<>();

  /** Follows a new set of upstreams (called with each snapshot). */
  @Override
  public void accept(Iterable<UpstreamCluster> clusters) {
    List<Prober> wanted = new ArrayList<>();
    for (UpstreamCluster c : clusters) {
      Healthchecks hc = c.upstream().healthchecks();
      if (!hc.activeEnabled() || "grpc".equals(hc.active().type()) || "grpcs".equals(hc.active().type())) {
        continue;
      }
      for (UpstreamTarget t : c.targets()) {
        if (t.weight() > 0) {
          wanted.add(new Prober(c, t));
        }
      }
    }
    loop.execute(() -> replace(wanted));
  }

  private void replace(List<Prober> wanted) {
    Set<String> keep = new HashSet<>();
    for (Prober p : wanted) {
      keep.add(p.key());
      Prober old = probers.get(p.key());
      if (old != null) {
        // Same target: carry on with the new settings, keeping the schedule.
        old.update(p.cluster, p.target);
      } else {
        probers.put(p.key(), p);
        p.schedule(0);
      }
    }
    probers.entrySet().removeIf(
        e -> {
          if (!keep.contains(e.getKey())) {
            e.getValue().stop();
            return true;
          }
          return false;
        });
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
    private UpstreamCluster cluster;
    private UpstreamTarget target;
    private ScheduledFuture<?> next;
    private boolean stopped;
    private boolean inFlight;

    Prober(UpstreamCluster cluster, UpstreamTarget target) {
      this.cluster = cluster;
      this.target = target;
    }

    String key() {
      return target.state().key();
    }

    void update(UpstreamCluster c, UpstreamTarget t) {
      cluster = c;
      target = t;
    }

    void stop() {
      stopped = true;
      if (next != null) {
        next.cancel(false);
      }
    }

    void schedule(long delayMillis) {
      if (!stopped) {
        next = loop.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
      }
    }

    /** Probes if this state has an interval and the upstream has a free slot. */
    private void tick() {
      if (stopped || inFlight) {
        return;
      }
      Healthchecks.Active a = cluster.upstream().healthchecks().active();
      double interval = target.state().health().up() ? a.healthyInterval() : a.unhealthyInterval();
      if (interval <= 0) {
        schedule(IDLE_RECHECK_MILLIS);
        return;
      }
      int[] slots = running.computeIfAbsent(cluster.upstream().id(), k -> new int[1]);
      if (slots[0] >= a.concurrency()) {
        schedule(20);
        return;
      }
      slots[0]++;
      inFlight = true;
      long started = System.nanoTime();
      resolve(
          address -> {
            if (address == null) {
              finish(slots, started, interval, () -> cluster.health().activeFailure(target.state(), false));
              return;
            }
            Probe.run(
                bootstrap, address, Probe.kong(a, target), loop,
                result -> finish(slots, started, interval, () -> report(result)));
          });
    }

    private void report(Probe.Result r) {
      TargetState s = target.state();
      HealthRules rules = cluster.health();
      switch (r.kind()) {
        case STATUS:
          rules.activeStatus(s, r.status());
          break;
        case CONNECTED:
          rules.activeSuccess(s);
          break;
        case TIMEOUT:
          rules.activeFailure(s, true);
          break;
        default:
          LOG.debug("probe of {} failed: {}", target, r.detail());
          rules.activeFailure(s, false);
      }
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

    private void resolve(Consumer<InetSocketAddress> then) {
      if (target.address() != null) {
        then.accept(target.address());
        return;
      }
      AddressResolver<InetSocketAddress> r = resolvers.getResolver(loop);
      r.resolve(InetSocketAddress.createUnresolved(target.host(), target.port()))
          .addListener(f -> then.accept(f.isSuccess() ? (InetSocketAddress) f.getNow() : null));
    }
  }
}
