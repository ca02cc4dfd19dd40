package dev.fulcrum.router;

import dev.fulcrum.model.Net;
import dev.fulcrum.model.Route;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Kong's stream router for {@code tcp} routes: a route matches when one of its sources matches
 * the client (IP or CIDR, and port when given) and one of its destinations matches the address the
 * client connected to; an empty list matches anything. The most specific route wins, by Kong's
 * priority (kong/router/transform.lua stream_get_priority: sources and destinations together
 * first, then exact IP over port over CIDR), oldest first on a tie.
 */
public final class StreamRouter<S> {
  private record Entry<S>(Route route, S service, long priority, List<Cond> sources, List<Cond> destinations) {}

  /** A compiled source or destination entry. */
  private record Cond(byte[] net, int bits, Integer port) {
    boolean matches(InetSocketAddress a) {
      if (port != null && a.getPort() != port) {
        return false;
      }
      if (net == null) {
        return true;
      }
      byte[] x = a.getAddress().getAddress();
      if (x.length != net.length) {
        return false;
      }
      int left = bits;
      for (int i = 0; i < net.length && left > 0; i++, left -= 8) {
        int mask = left >= 8 ? 0xFF : (0xFF << (8 - left)) & 0xFF;
        if ((x[i] & mask) != (net[i] & mask)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final long SNI_BIT = 1L << 61;
  private static final int IP_BIT = 1 << 3;
  private static final int PORT_BIT = 1 << 2;
  private static final int CIDR_BIT = 1;

  private final List<Entry<S>> entries;

  private StreamRouter(List<Entry<S>> entries) {
    this.entries = entries;
  }

  /** Compiles the routes with protocol {@code tcp}; others are not this router's. */
  public static <S> StreamRouter<S> compile(List<Route> routes, Function<Route, S> services) {
    List<Entry<S>> list = new ArrayList<>();
    for (Route r : routes) {
      if (!r.protocols().contains("tcp") || (r.sources().isEmpty() && r.destinations().isEmpty())) {
        continue;
      }
      list.add(new Entry<>(r, services.apply(r), priority(r), conds(r.sources()), conds(r.destinations())));
    }
    list.sort(Comparator.<Entry<S>>comparingLong(e -> -e.priority())
        .thenComparingDouble(e -> e.route().createdAt())
        .thenComparing(e -> e.route().id()));
    return new StreamRouter<>(List.copyOf(list));
  }

  private static List<Cond> conds(List<Net> nets) {
    List<Cond> out = new ArrayList<>();
    for (Net n : nets) {
      byte[] net = null;
      int bits = 0;
      if (n.ip() != null) {
        int slash = n.ip().indexOf('/');
        String ip = slash < 0 ? n.ip() : n.ip().substring(0, slash);
        try {
          net = InetAddress.getByName(ip).getAddress();
        } catch (UnknownHostException e) {
          throw new IllegalArgumentException("not an IP: " + n.ip(), e);
        }
        bits = slash < 0 ? net.length * 8 : Integer.parseInt(n.ip().substring(slash + 1));
      }
      out.add(new Cond(net, bits, n.port()));
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

  private static boolean any(List<Cond> conds, InetSocketAddress a) {
    if (conds.isEmpty()) {
      return true;
    }
    for (Cond c : conds) {
      if (c.matches(a)) {
        return true;
      }
    }
    return false;
  }

  /** The service of the best route for a connection from {@code client} to {@code local}, or null. */
  public S match(InetSocketAddress client, InetSocketAddress local) {
    for (Entry<S> e : entries) {
      if (any(e.sources(), client) && any(e.destinations(), local)) {
        return e.service();
      }
    }
    return null;
  }

  /** The route a connection matches, or null (tests). */
  public Route matchRoute(InetSocketAddress client, InetSocketAddress local) {
    for (Entry<S> e : entries) {
      if (any(e.sources(), client) && any(e.destinations(), local)) {
        return e.route();
      }
    }
    return null;
  }

  public int size() {
    return entries.size();
  }
}
