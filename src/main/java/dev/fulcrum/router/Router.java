package dev.fulcrum.router;

import dev.fulcrum.model.Protocol;
import dev.fulcrum.model.Route;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;

/**
 * Kong's HTTP routes (traditional_compatible semantics): each route, one entry per path, gets
 * Kong's 64-bit priority, and a request takes the highest-priority entry whose every condition
 * holds. A lookup evaluates only entries that could apply and could beat the best match so far:
 * routes whose hosts are all plain names are filed under each host, the others together; within
 * each, prefix paths and regex paths (by the literal text they start with) sit in a character trie
 * walked along the request path, and routes without paths in a list. So the work grows with the
 * path length and the routes that share its prefixes, not with the number of routes.
 *
 * <p>Immutable and persistent: {@link #with} and {@link #without} return a new router that
 * shares everything the change did not touch, so a route write costs about its path length.
 */
public final class Router {
  public static final Router EMPTY = new Router(Index.EMPTY, Map.of(), 0);

  /** The entries of one host (or of every host). */
  private record Index(PathTrie trie, RouteEntry[] pathless) {
    static final Index EMPTY = new Index(PathTrie.EMPTY, new RouteEntry[0]);

    Index with(RouteEntry e) {
      return e.key == null
          ? new Index(trie, PathTrie.insert(pathless, e))
          : new Index(trie.with(e.key, 0, e), pathless);
    }

    Index without(String key, String routeId) {
      return key == null
          ? new Index(trie, PathTrie.remove(pathless, routeId))
          : new Index(trie.without(key, 0, routeId), pathless);
    }

    boolean isEmpty() {
      return trie.isEmpty() && pathless.length == 0;
    }
  }

  private final Index any;
  private final Map<String, Index> byHost;
  private final int size;

  private Router(Index any, Map<String, Index> byHost, int size) {
    this.any = any;
    this.byHost = byHost;
    this.size = size;
  }

  /** The routes serving HTTP (protocols http or https); others are not this router's. */
  public static boolean routes(Route r) {
    return r.protocols().contains(Protocol.HTTP) || r.protocols().contains(Protocol.HTTPS);
  }

  public static Router compile(Collection<Route> routes) {
    Router r = EMPTY;
    for (Route route : routes) {
      r = r.with(route);
    }
    return r;
  }

  /** Entries (route paths) in the router. */
  public int size() {
    return size;
  }

  /** This router with {@code route} added (remove an older version of it first). */
  public Router with(Route route) {
    if (!routes(route)) {
      return this;
    }
    Conditions c = Conditions.of(route);
    Index a = any;
    Map<String, Index> hosts = byHost;
    int n = size;
    for (String path : route.paths().isEmpty() ? java.util.Collections.<String>singletonList(null) : route.paths()) {
      RouteEntry e = new RouteEntry(route, c, path);
      n++;
      if (c.plainHosts()) {
        if (hosts == byHost) {
          hosts = new HashMap<>(byHost);
        }
        for (Conditions.HostPattern h : c.hosts) {
          hosts.put(h.text, hosts.getOrDefault(h.text, Index.EMPTY).with(e));
        }
      } else {
        a = a.with(e);
      }
    }
    return new Router(a, hosts, n);
  }

  /** This router without {@code route} (as it was added). */
  public Router without(Route route) {
    if (!routes(route)) {
      return this;
    }
    Conditions c = Conditions.of(route);
    Index a = any;
    Map<String, Index> hosts = byHost;
    int n = size;
    for (String path : route.paths().isEmpty() ? java.util.Collections.<String>singletonList(null) : route.paths()) {
      String key = path == null ? null : path.startsWith("~") ? RegexPaths.literalPrefix(path.substring(1)) : path;
      n--;
      if (c.plainHosts()) {
        if (hosts == byHost) {
          hosts = new HashMap<>(byHost);
        }
        for (Conditions.HostPattern h : c.hosts) {
          Index i = hosts.get(h.text);
          if (i != null) {
            Index left = i.without(key, route.id());
            if (left.isEmpty()) {
              hosts.remove(h.text);
            } else {
              hosts.put(h.text, left);
            }
          }
        }
      } else {
        a = a.without(key, route.id());
      }
    }
    return new Router(a, hosts, n);
  }

  /**
   * The best route for a request, or null.
   *
   * @param host request host without port, lower case ("" when absent)
   * @param port port from the Host header, else the listener's
   * @param path normalised path without query
   * @param live whether a route may serve (Kong leaves routes of disabled services out)
   */
  public RouteMatch match(
      String method, String host, int port, String path, HttpHeaders headers, Predicate<Route> live) {
    RouteEntry best = null;
    Index h = host.isEmpty() ? null : byHost.get(host.toLowerCase(Locale.ROOT));
    if (h != null) {
      best = search(h, null, method, host, port, path, headers, live);
    }
    best = search(any, best, method, host, port, path, headers, live);
    if (best == null) {
      return null;
    }
    if (best.regex != null) {
      Matcher m = best.regex.matcher(path);
      m.lookingAt();
      return new RouteMatch(best.route, path.substring(0, m.end()), m);
    }
    return new RouteMatch(best.route, best.prefix, null);
  }

  /** The best entry of {@code index} that beats {@code best}, else {@code best}. */
  private static RouteEntry search(
      Index index, RouteEntry best, String method, String host, int port, String path, HttpHeaders headers,
      Predicate<Route> live) {
    // Every trie node on the walk holds entries whose prefix (or regex's literal start) the path has.
    PathTrie node = index.trie();
    for (int i = 0; node != null; i++) {
      best = first(node.entries, best, method, host, port, path, headers, live);
      if (i == path.length()) {
        break;
      }
      node = node.child(path.charAt(i));
    }
    return first(index.pathless(), best, method, host, port, path, headers, live);
  }

  /** The first of {@code entries} (best first) that applies and beats {@code best}, else {@code best}. */
  private static RouteEntry first(
      RouteEntry[] entries, RouteEntry best, String method, String host, int port, String path, HttpHeaders headers,
      Predicate<Route> live) {
    for (RouteEntry e : entries) {
      if (!e.before(best)) {
        break;
      }
      if (e.conditions.matches(method, host, port, headers)
          && (e.regex == null || e.regex.matcher(path).lookingAt())
          && live.test(e.route)) {
        return e;
      }
    }
    return best;
  }
}
