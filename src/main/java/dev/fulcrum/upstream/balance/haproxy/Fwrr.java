package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HAProxy's {@code balance roundrobin}: fast weighted round robin in HAProxy's exact order
 * (equal weights s1 s2 s3 s1; 3:1 gives s1 s1 s1 s2; 1:2:3 gives s3 s2 s3 s1 s3 s2). The order
 * is laid out ahead by {@link FwrrSchedule}, a chunk at a time, so a pick is a volatile read and
 * one atomic step; only the thread that reaches the end of a chunk takes the lock and lays out the
 * next one. When a server's state or weight changes the schedule starts afresh over the servers
 * now serving (the active ones, or the backups when none is left). Saturated (maxconn) and
 * avoided servers are skipped in place.
 */
public final class Fwrr implements Balancer {
  /** Picks laid out at a time. */
  private static final int CHUNK = 4096;

  /** The schedule of one state of the servers. */
  private static final class Layout {
    final FwrrSchedule schedule;
    final int length;
    final AtomicLong next = new AtomicLong();
    volatile Chunk chunk;

    Layout(FwrrSchedule schedule, int length) {
      this.schedule = schedule;
      this.length = length;
    }
  }

  /** Picks {@code base} to {@code base + picks.length - 1} of a layout. */
  private record Chunk(long base, UpstreamTarget[] picks) {}

  private static final Layout EMPTY = new Layout(null, 0);

  private final Servers servers;
  private volatile Layout layout = EMPTY;

  public Fwrr(List<UpstreamTarget> targets, boolean allBackups) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    update();
  }

  @Override
  public synchronized void update() {
    List<UpstreamTarget> serving = servers.serving();
    int[] eweights = new int[serving.size()];
    List<UpstreamTarget> weighted = new ArrayList<>();
    for (UpstreamTarget t : serving) {
      int e = t.effectiveWeight();
      if (e > 0) {
        eweights[weighted.size()] = e;
        weighted.add(t);
      }
    }
    if (weighted.isEmpty()) {
      layout = EMPTY;
      return;
    }
    int[] used = java.util.Arrays.copyOf(eweights, weighted.size());
    Layout l = new Layout(new FwrrSchedule(weighted, used), CHUNK);
    l.chunk = lay(l, 0);
    layout = l;
  }

  private static Chunk lay(Layout l, long base) {
    UpstreamTarget[] picks = new UpstreamTarget[l.length];
    for (int i = 0; i < picks.length; i++) {
      picks[i] = l.schedule.next();
    }
    return new Chunk(base, picks);
  }

  @Override
  public UpstreamTarget pick(PickContext context, Avoid avoid) {
    Layout l = layout;
    if (l.length == 0) {
      return null;
    }
    long n = l.next.getAndIncrement();
    Chunk c = l.chunk;
    if (n >= c.base() + c.picks().length) {
      c = extend(l, n);
    }
    UpstreamTarget[] picks = c.picks();
    int len = picks.length;
    int at = (int) Math.floorMod(n - c.base(), (long) len);
    UpstreamTarget avoided = null;
    for (int i = 0; i < len; i++) {
      UpstreamTarget t = picks[(at + i) % len];
      if (!t.usable() || !Servers.free(t)) {
        continue;
      }
      if (avoid.avoid(t)) {
        if (avoided == null) {
          avoided = t;
        }
        continue;
      }
      if (i > 0) {
        // Skipped places count as used, so the next pick continues after this one.
        l.next.getAndAdd(i);
      }
      return t;
    }
    return avoided;
  }

  /** Lays out chunks until pick {@code n} is covered; one thread at a time. */
  private static Chunk extend(Layout l, long n) {
    synchronized (l) {
      Chunk c = l.chunk;
      while (n >= c.base() + c.picks().length) {
        c = lay(l, c.base() + c.picks().length);
        l.chunk = c;
      }
      return c;
    }
  }
}
