package dev.fulcrum.router;

import dev.fulcrum.model.IpBlock;
import dev.fulcrum.model.Net;
import dev.fulcrum.model.Route;
import java.net.InetSocketAddress;
import dev.fulcrum.model.Protocol;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Kong's stream router for {@code tcp} routes: a route matches when one of its sources matches
 * the client (IP or CIDR, and port when given) and one of its destinations matches the address the
 * client connected to; an empty list matches anything. The most specific route wins, by Kong's
 * priority (kong/router/transform.lua stream_get_priority: sources and destinations together
 * first, then exact IP over port over CIDR), oldest first on a tie.
 */
public final class StreamRouter {
  private record Entry(Route route, long priority, List<Cond> sources, List<Cond> destinations) {}

  /** A compiled source or destination entry: an IP block, a port, or both. */
  private record Cond(IpBlock block, Integer port) {
    boolean matches(byte[] address, int port) {
      return (this.port == null || this.port == port) && (block == null || block.contains(address));
    }
  }

  private static final long SNI_BIT = 1L << 61;
  private static final int IP_BIT = 1 << 3;
  private static final int PORT_BIT = 1 << 2;
  private static final int CIDR_BIT = 1;

  public static final StreamRouter EMPTY = new StreamRouter(List.of());

  private final List<Entry> entries;

  private StreamRouter(List<Entry> entries) {
    this.entries = entries;
  }

  /** Compiles the routes with protocol {@code tcp}; others are not this router's. */
  public static StreamRouter compile(Collection<Route> routes) {
    List<Entry> list = new ArrayList<>();
    for (Route r : routes) {
      if (!routes(r)) {
        continue;
      }
      list.add(new Entry(r, priority(r), conds(r.sources()), conds(r.destinations())));
    }
    list.sort(Comparator.<Entry>comparingLong(e -> -e.priority())
        .thenComparingDouble(e -> e.route().createdAt())
        .thenComparing(e -> e.route().id()));
    return new StreamRouter(List.copyOf(list));
  }

  private static List<Cond> conds(List<Net> nets) {
    List<Cond> out = new ArrayList<>();
    for (Net n : nets) {
      out.add(new Cond(n.ip() == null ? null : IpBlock.parse(n.ip()), n.port()));
    }
    return out;
  }

  private static long priority(Route r) {
    long weight = !r.sources().isEmpty() && !r.destinations().isEmpty() ? SNI_BIT : 0;
    return weight | ((long) bits(r.sources()) << 4) | bits(r.destinations());
  }

  private static int bits(List<Net> nets) {
    int w = 0;
    for (Net n : nets) {
      if (n.ip() != null) {
        w |= n.ip().indexOf('/') >= 0 ? CIDR_BIT : IP_BIT;
      }
      if (n.port() != null) {
        w |= PORT_BIT;
      }
    }
    return w;
  }

  private static boolean any(List<Cond> conds, byte[] address, int port) {
    if (conds.isEmpty()) {
      return true;
    }
    for (Cond c : conds) {
      if (c.matches(address, port)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code r} is this router's: protocol tcp, with sources or destinations. */
  public static boolean routes(Route r) {
    return r.protocols().contains(Protocol.TCP) && !(r.sources().isEmpty() && r.destinations().isEmpty());
  }

  /**
   * The best route for a connection from {@code client} to {@code local}, or null.
   *
   * @param live whether a route may serve (Kong leaves routes of disabled services out)
   */
  public Route match(InetSocketAddress client, InetSocketAddress local, Predicate<Route> live) {
    byte[] from = client.getAddress().getAddress();
    byte[] to = local.getAddress().getAddress();
    for (Entry e : entries) {
      if (any(e.sources(), from, client.getPort()) && any(e.destinations(), to, local.getPort())
          && live.test(e.route())) {
        return e.route();
      }
    }
    return null;
  }

  public int size() {
    return entries.size();
  }
}
