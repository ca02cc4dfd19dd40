package dev.fulcrum.router;

import java.util.Arrays;

/**
 * An immutable character trie over path prefixes: each node holds, best first, the entries filed
 * under the text that leads to it. Adding or removing an entry copies only the nodes on its
 * path, so a route change costs the length of its path, not the number of routes, and snapshots
 * share everything else.
 */
final class PathTrie {
  static final PathTrie EMPTY = new PathTrie(new char[0], new PathTrie[0], new RouteEntry[0]);

  private final char[] labels;
  private final PathTrie[] children;
  final RouteEntry[] entries;

  private PathTrie(char[] labels, PathTrie[] children, RouteEntry[] entries) {
    this.labels = labels;
    this.children = children;
    this.entries = entries;
  }

  boolean isEmpty() {
    return labels.length == 0 && entries.length == 0;
  }

  PathTrie child(char c) {
    char[] l = labels;
    if (l.length > 8) {
      int i = Arrays.binarySearch(l, c);
      return i >= 0 ? children[i] : null;
    }
    for (int i = 0; i < l.length; i++) {
      if (l[i] == c) {
        return children[i];
      }
    }
    return null;
  }

  /** This trie with {@code e} filed under {@code key} (from position {@code at}). */
  PathTrie with(String key, int at, RouteEntry e) {
    if (at == key.length()) {
      return new PathTrie(labels, children, insert(entries, e));
    }
    char c = key.charAt(at);
    int i = Arrays.binarySearch(labels, c);
    PathTrie below = i >= 0 ? children[i] : EMPTY;
    PathTrie changed = below.with(key, at + 1, e);
    if (i >= 0) {
      PathTrie[] kids = children.clone();
      kids[i] = changed;
      return new PathTrie(labels, kids, entries);
    }
    int pos = -i - 1;
    char[] l = new char[labels.length + 1];
    PathTrie[] kids = new PathTrie[children.length + 1];
    System.arraycopy(labels, 0, l, 0, pos);
    System.arraycopy(children, 0, kids, 0, pos);
    l[pos] = c;
    kids[pos] = changed;
    System.arraycopy(labels, pos, l, pos + 1, labels.length - pos);
    System.arraycopy(children, pos, kids, pos + 1, children.length - pos);
    return new PathTrie(l, kids, entries);
  }

  /** This trie without the entries of route {@code routeId} filed under {@code key}. */
  PathTrie without(String key, int at, String routeId) {
    if (at == key.length()) {
      RouteEntry[] left = remove(entries, routeId);
      return left == entries ? this : new PathTrie(labels, children, left);
    }
    int i = Arrays.binarySearch(labels, key.charAt(at));
    if (i < 0) {
      return this;
    }
    PathTrie changed = children[i].without(key, at + 1, routeId);
    if (changed == children[i]) {
      return this;
    }
    if (!changed.isEmpty()) {
      PathTrie[] kids = children.clone();
      kids[i] = changed;
      return new PathTrie(labels, kids, entries);
    }
    char[] l = new char[labels.length - 1];
    PathTrie[] kids = new PathTrie[children.length - 1];
    System.arraycopy(labels, 0, l, 0, i);
    System.arraycopy(children, 0, kids, 0, i);
    System.arraycopy(labels, i + 1, l, i, labels.length - i - 1);
    System.arraycopy(children, i + 1, kids, i, children.length - i - 1);
    return new PathTrie(l, kids, entries);
  }

  /** {@code e} added to {@code list}, which stays best first. */
  static RouteEntry[] insert(RouteEntry[] list, RouteEntry e) {
    int pos = 0;
    while (pos < list.length && list[pos].before(e)) {
      pos++;
    }
    RouteEntry[] out = new RouteEntry[list.length + 1];
    System.arraycopy(list, 0, out, 0, pos);
    out[pos] = e;
    System.arraycopy(list, pos, out, pos + 1, list.length - pos);
    return out;
  }

  /** {@code list} without the entries of route {@code routeId}; the same array if it has none. */
  static RouteEntry[] remove(RouteEntry[] list, String routeId) {
    int n = 0;
    for (RouteEntry e : list) {
      if (e.route.id().equals(routeId)) {
        n++;
      }
    }
    if (n == 0) {
      return list;
    }
    RouteEntry[] out = new RouteEntry[list.length - n];
    int k = 0;
    for (RouteEntry e : list) {
      if (!e.route.id().equals(routeId)) {
        out[k++] = e;
      }
    }
    return out;
  }
}
