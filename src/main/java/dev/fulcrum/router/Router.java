package dev.fulcrum.router;

import dev.fulcrum.model.Route;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP routes compiled once per configuration snapshot, with Kong's traditional_compatible
 * semantics: each route (one entry per path) gets Kong's 64-bit priority, and a request takes the
 * highest-priority entry whose every condition holds. Entries are ranked by that order, and a
 * lookup only evaluates candidates that could beat the best match so far: prefix paths come from a
 * character trie walked along the request path, so the work grows with the path length and the
 * routes that share its prefixes, not with the number of routes.
 *
 * @param <S> what a route's service compiles to
 */
public final class Router<S> {
  private final Entry<S>[] entries;
  private final TrieNode prefixTrie;
  private final int[] regexRanks;
  private final int[] pathlessRanks;

  private Router(Entry<S>[] entries, TrieNode trie, int[] regex, int[] pathless) {
    this.entries = entries;
    this.prefixTrie = trie;
    this.regexRanks = regex;
    this.pathlessRanks = pathless;
  }

  public int size() {
    return entries.length;
  }

  /** Compiles {@code routes}; {@code services} gives each route's compiled service (or null). */
  @SuppressWarnings("unchecked")
  public static <S> Router<S> compile(List<Route> routes, Function<Route, S> services) {
    List<Entry<S>> list = new ArrayList<>();
    for (Route r : routes) {
      if (!r.protocols().contains("http") && !r.protocols().contains("https")) {
        continue;
      }
      S service = services.apply(r);
      Conditions c = Conditions.of(r);
      if (r.paths().isEmpty()) {
        list.add(new Entry<>(r, service, c, null, null, priority(r, null)));
      } else {
        for (String p : r.paths()) {
          if (p.startsWith("~")) {
            Pattern regex = Pattern.compile(p.substring(1));
            list.add(new Entry<>(r, service, c, null, regex, priority(r, p)));
          } else {
            list.add(new Entry<>(r, service, c, p, null, priority(r, p)));
          }
        }
      }
    }
    // Higher priority first; on a tie the greater route id wins, as Kong's ATC router does.
    list.sort((a, b) -> {
      int byPriority = Long.compareUnsigned(b.priority, a.priority);
      return byPriority != 0 ? byPriority : b.route.id().compareTo(a.route.id());
    });
    Entry<S>[] entries = list.toArray(new Entry[0]);
    TrieNode trie = new TrieNode();
    List<Integer> regex = new ArrayList<>();
    List<Integer> pathless = new ArrayList<>();
    for (int rank = 0; rank < entries.length; rank++) {
      Entry<S> e = entries[rank];
      if (e.prefix != null) {
        trie.insert(e.prefix, rank);
      } else if (e.regex != null) {
        regex.add(rank);
      } else {
        pathless.add(rank);
      }
    }
    trie.seal();
    return new Router<>(
        entries,
        trie,
        regex.stream().mapToInt(Integer::intValue).toArray(),
        pathless.stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Kong's priority (kong/router/transform.lua get_priority): the number of matching fields, plain
   * hosts, header count, regex bit, regex_priority and prefix length, most significant first.
   */
  static long priority(Route r, String path) {
    long weight = 0;
    if (!r.methods().isEmpty()) {
      weight++;
    }
    if (!r.hosts().isEmpty()) {
      weight++;
    }
    int headers = Math.min(r.headers().size(), 255);
    if (headers > 0) {
      weight++;
    }
    if (!r.snis().isEmpty()) {
      weight++;
    }
    if (path != null) {
      weight++;
    }
    boolean plainHosts = !r.hosts().isEmpty() && r.hosts().stream().noneMatch(h -> h.contains("*"));
    boolean regex = path != null && path.startsWith("~");
    long p = weight << 61;
    if (plainHosts) {
      p |= 1L << 60;
    }
    p |= ((long) headers) << 52;
    if (regex) {
      p |= 1L << 51;
      // A signed regex_priority is offset into the 32-bit field so that negative values sort below
      // zero instead of wrapping around to the top.
      p |= ((r.regexPriority() + (1L << 31)) & 0xFFFFFFFFL) << 19;
    } else if (path != null) {
      p |= path.length() & 0x7FFFF;
    }
    return p;
  }

  /**
   * The best route for a request, or null.
   *
   * @param host request host without port, lower case ("" when absent)
   * @param port port from the Host header, else the listener's
   * @param path normalised path without query
   */
  public RouteMatch<S> match(String method, String host, int port, String path, HttpHeaders headers) {
    int best = entries.length;
    Matcher bestCaptures = null;
    // Prefix paths: every trie node on the walk holds entries whose prefix the path starts with.
    TrieNode node = prefixTrie;
    for (int i = 0; node != null; i++) {
      for (int rank : node.ranks) {
        if (rank >= best) {
          break;
        }
        if (entries[rank].conditions.matches(method, host, port, headers)) {
          best = rank;
          break;
        }
      }
      if (i == path.length()) {
        break;
      }
      node = node.child(path.charAt(i));
    }
    for (int rank : regexRanks) {
      if (rank >= best) {
        break;
      }
      Entry<S> e = entries[rank];
      if (!e.conditions.matches(method, host, port, headers)) {
        continue;
      }
      Matcher m = e.regex.matcher(path);
      if (m.lookingAt()) {
        best = rank;
        bestCaptures = m;
        break;
      }
    }
    for (int rank : pathlessRanks) {
      if (rank >= best) {
        break;
      }
      if (entries[rank].conditions.matches(method, host, port, headers)) {
        best = rank;
        bestCaptures = null;
        break;
      }
    }
    if (best == entries.length) {
      return null;
    }
    Entry<S> e = entries[best];
    if (e.regex != null) {
      return new RouteMatch<>(e.route, e.service, path.substring(0, bestCaptures.end()), bestCaptures);
    }
    return new RouteMatch<>(e.route, e.service, e.prefix, null);
  }

  private static final class Entry<S> {
    final Route route;
    final S service;
    final Conditions conditions;
    final String prefix;
    final Pattern regex;
    final long priority;

    Entry(Route route, S service, Conditions conditions, String prefix, Pattern regex, long priority) {
      this.route = route;
      this.service = service;
      this.conditions = conditions;
      this.prefix = prefix;
      this.regex = regex;
      this.priority = priority;
    }
  }

  /** Methods, hosts and headers of a route (everything but its path). */
  private static final class Conditions {
    final String[] methods;
    final HostPattern[] hosts;
    final HeaderPattern[] headers;

    Conditions(String[] methods, HostPattern[] hosts, HeaderPattern[] headers) {
      this.methods = methods;
      this.hosts = hosts;
      this.headers = headers;
    }

    static Conditions of(Route r) {
      HostPattern[] hosts = r.hosts().stream().map(HostPattern::of).toArray(HostPattern[]::new);
      HeaderPattern[] headers =
          r.headers().entrySet().stream().map(HeaderPattern::of).toArray(HeaderPattern[]::new);
      return new Conditions(r.methods().toArray(new String[0]), hosts, headers);
    }

    boolean matches(String method, String host, int port, HttpHeaders requestHeaders) {
      if (methods.length > 0 && !contains(methods, method)) {
        return false;
      }
      if (hosts.length > 0) {
        boolean any = false;
        for (HostPattern h : hosts) {
          if (h.matches(host, port)) {
            any = true;
            break;
          }
        }
        if (!any) {
          return false;
        }
      }
      for (HeaderPattern h : headers) {
        if (!h.matches(requestHeaders)) {
          return false;
        }
      }
      return true;
    }

    private static boolean contains(String[] values, String v) {
      for (String s : values) {
        if (s.equals(v)) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code example.com}, {@code *.example.com}, {@code example.*}, each with an optional port. */
  private static final class HostPattern {
    final String text;
    final int kind; // 0 exact, 1 suffix (leading *), 2 prefix (trailing *)
    final int port;

    HostPattern(String text, int kind, int port) {
      this.text = text;
      this.kind = kind;
      this.port = port;
    }

    static HostPattern of(String spec) {
      String s = spec.toLowerCase(Locale.ROOT);
      int port = -1;
      int colon = s.lastIndexOf(':');
      if (colon > 0 && s.indexOf(']') < colon && s.substring(colon + 1).matches("\\d+")) {
        port = Integer.parseInt(s.substring(colon + 1));
        s = s.substring(0, colon);
      }
      if (s.startsWith("*")) {
        return new HostPattern(s.substring(1), 1, port);
      }
      if (s.endsWith("*")) {
        return new HostPattern(s.substring(0, s.length() - 1), 2, port);
      }
      return new HostPattern(s, 0, port);
    }

    boolean matches(String host, int requestPort) {
      if (port >= 0 && port != requestPort) {
        return false;
      }
      switch (kind) {
        case 0:
          return host.equals(text);
        case 1:
          return host.endsWith(text);
        default:
          return host.startsWith(text);
      }
    }
  }

  /** A header that must have one of the given values (case-insensitive), or match a {@code ~*} regex. */
  private static final class HeaderPattern {
    final String name;
    final String[] values;
    final Pattern[] regexes;

    HeaderPattern(String name, String[] values, Pattern[] regexes) {
      this.name = name;
      this.values = values;
      this.regexes = regexes;
    }

    static HeaderPattern of(Map.Entry<String, List<String>> e) {
      List<String> plain = new ArrayList<>();
      List<Pattern> regexes = new ArrayList<>();
      for (String v : e.getValue()) {
        if (v.startsWith("~*")) {
          regexes.add(Pattern.compile(v.substring(2).toLowerCase(Locale.ROOT)));
        } else {
          plain.add(v.toLowerCase(Locale.ROOT));
        }
      }
      return new HeaderPattern(e.getKey(), plain.toArray(new String[0]), regexes.toArray(new Pattern[0]));
    }

    boolean matches(HttpHeaders headers) {
      for (String raw : headers.getAll(name)) {
        String v = raw.toLowerCase(Locale.ROOT);
        for (String want : values) {
          if (want.equals(v)) {
            return true;
          }
        }
        for (Pattern p : regexes) {
          if (p.matcher(v).find()) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /** A character trie over prefix paths; each node lists the ranks of entries ending there. */
  private static final class TrieNode {
    private char[] labels = new char[0];
    private TrieNode[] children = new TrieNode[0];
    private List<Integer> pending = new ArrayList<>();
    int[] ranks = new int[0];

    void insert(String prefix, int rank) {
      TrieNode n = this;
      for (int i = 0; i < prefix.length(); i++) {
        n = n.childOrCreate(prefix.charAt(i));
      }
      n.pending.add(rank);
    }

    private TrieNode childOrCreate(char c) {
      TrieNode existing = child(c);
      if (existing != null) {
        return existing;
      }
      labels = Arrays.copyOf(labels, labels.length + 1);
      children = Arrays.copyOf(children, children.length + 1);
      labels[labels.length - 1] = c;
      TrieNode n = new TrieNode();
      children[children.length - 1] = n;
      return n;
    }

    TrieNode child(char c) {
      char[] l = labels;
      for (int i = 0; i < l.length; i++) {
        if (l[i] == c) {
          return children[i];
        }
      }
      return null;
    }

    /** Freezes pending ranks into sorted arrays (best first). */
    void seal() {
      ranks = pending.stream().mapToInt(Integer::intValue).sorted().toArray();
      pending = null;
      for (TrieNode c : children) {
        c.seal();
      }
    }
  }
}
