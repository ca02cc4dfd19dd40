package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * HAProxy's fast weighted round robin (src/lb_fwrr.c) over a fixed set of servers and weights,
 * reproduced step for step so that the order matches HAProxy's exactly: each server advances its
 * next position by the total weight divided by its own; the server with the smallest position
 * goes next, heavier first on a tie; a window ends when the current tree runs dry and the trees
 * swap. Not thread-safe: {@link Fwrr} runs it ahead of the picks under its lock.
 */
final class FwrrSchedule {
  private static final long UWGHT_RANGE = 256;
  private static final long EWGHT_MAX = 256 * Servers.SCALE;

  private enum Tree {
    INIT,
    NEXT,
    CURR
  }

  private static final class Node {
    final UpstreamTarget t;
    final int eweight;
    long npos;
    long rweight;
    long key;
    Tree tree;

    Node(UpstreamTarget t, int eweight) {
      this.t = t;
      this.eweight = eweight;
    }
  }

  private long currPos;
  private long currWeight;
  private final long nextWeight;
  private final List<Node> curr = new ArrayList<>();
  private List<Node> init = new ArrayList<>();
  private List<Node> next = new ArrayList<>();

  /** @param eweights the effective weight of each server (user weight x 16), all above 0 */
  FwrrSchedule(List<UpstreamTarget> servers, int[] eweights) {
    long total = 0;
    for (int w : eweights) {
      total += w;
    }
    currPos = currWeight = nextWeight = total;
    for (int i = 0; i < eweights.length; i++) {
      queueByWeight(init, new Node(servers.get(i), eweights[i]));
    }
  }

  /** fwrr_get_next_server without saturated or avoided servers: the next server in order. */
  UpstreamTarget next() {
    if (currWeight == 0) {
      currPos = currWeight = nextWeight;
    }
    Node srv = fromTrees();
    if (srv == null) {
      switchTrees();
      srv = fromTrees();
    }
    updatePosition(srv);
    curr.remove(srv);
    init.remove(srv);
    currPos++;
    queue(srv);
    return srv.t;
  }

  private Node fromTrees() {
    Node s1 = curr.isEmpty() ? null : curr.get(0);
    if (s1 != null && s1.npos <= currPos) {
      return s1;
    }
    Node s2 = init.isEmpty() ? null : init.get(0);
    if (s2 != null) {
      s2.npos = 0;
      s2.rweight = 0;
      return s2;
    }
    return s1;
  }

  private void switchTrees() {
    List<Node> swap = init;
    init = next;
    next = swap;
    for (Node n : init) {
      n.tree = Tree.INIT;
    }
    currWeight = nextWeight;
    currPos = currWeight;
  }

  private void updatePosition(Node s) {
    if (s.npos == 0) {
      s.npos = currPos;
    }
    s.npos += nextWeight / s.eweight;
    s.rweight += nextWeight % s.eweight;
    if (s.rweight >= s.eweight) {
      s.rweight -= s.eweight;
      s.npos++;
    }
  }

  /** fwrr_queue_srv: into the current tree at its position, or the next tree if beyond the window. */
  private void queue(Node s) {
    if (s.npos >= 2 * currWeight || s.npos >= currWeight + nextWeight) {
      s.npos -= currWeight;
      queueByWeight(next, s);
    } else {
      s.key = UWGHT_RANGE * s.npos + (EWGHT_MAX + s.rweight - s.eweight) / Servers.SCALE;
      insert(curr, s);
      s.tree = Tree.CURR;
    }
  }

  private void queueByWeight(List<Node> tree, Node s) {
    s.key = EWGHT_MAX - s.eweight;
    insert(tree, s);
    s.tree = tree == init ? Tree.INIT : Tree.NEXT;
  }

  /** Sorted by key; an equal key goes after the others, as in HAProxy's ebtrees. */
  private static void insert(List<Node> tree, Node s) {
    int i = tree.size();
    while (i > 0 && tree.get(i - 1).key > s.key) {
      i--;
    }
    tree.add(i, s);
  }
}
