package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;
import dev.fulcrum.upstream.balance.Balancer;
import dev.fulcrum.upstream.balance.PickContext;
import java.util.ArrayList;
import java.util.List;

/**
 * HAProxy's {@code balance roundrobin}: fast weighted round robin (src/lb_fwrr.c), reproduced so
 * that pick sequences match HAProxy's exactly (equal weights s1 s2 s3 s1; 3:1 gives s1 s1 s1 s2;
 * 1:2:3 gives s3 s2 s3 s1 s3 s2). Each server advances its next position by total weight divided
 * by its own; the server with the smallest position goes next, heavier first on a tie. Servers
 * enter and leave as their state or weight changes, which is noticed at the next pick. Saturated
 * (maxconn) and avoided servers are skipped and requeued. Picks run under the backend's lock, as
 * in HAProxy.
 */
public final class Fwrr implements Balancer {
  private static final long UWGHT_RANGE = 256;
  private static final long EWGHT_MAX = 256 * Servers.SCALE;

  private enum Tree {
    NONE,
    INIT,
    NEXT,
    CURR
  }

  private static final class Node {
    final UpstreamTarget t;
    long npos;
    long lpos;
    long rweight;
    long key;
    int eweight;
    boolean usable;
    Tree tree = Tree.NONE;

    Node(UpstreamTarget t) {
      this.t = t;
    }
  }

  private static final class Group {
    long currPos;
    long currWeight;
    long nextWeight;
    final List<Node> curr = new ArrayList<>();
    List<Node> init = new ArrayList<>();
    List<Node> next = new ArrayList<>();
  }

  private final Servers servers;
  private final Node[] nodes;
  private final Group act = new Group();
  private final Group bck = new Group();

  public Fwrr(List<UpstreamTarget> targets, boolean allBackups) {
    this.servers = new Servers(targets.toArray(new UpstreamTarget[0]), allBackups);
    this.nodes = new Node[targets.size()];
    for (int i = 0; i < nodes.length; i++) {
      Node n = new Node(targets.get(i));
      n.eweight = eweight(n.t);
      n.usable = n.t.usable();
      nodes[i] = n;
    }
    for (Group g : new Group[] {act, bck}) {
      long total = 0;
      for (Node n : nodes) {
        if (n.usable && group(n) == g) {
          total += n.eweight;
        }
      }
      g.currPos = g.currWeight = g.nextWeight = total;
    }
    for (Node n : nodes) {
      if (n.usable) {
        queueByWeight(group(n), group(n).init, n);
      }
    }
  }

  static int eweight(UpstreamTarget t) {
    return t.effectiveWeight();
  }

  private Group group(Node n) {
    return n.t.options().backup() ? bck : act;
  }

  @Override
  public synchronized UpstreamTarget pick(PickContext context, Avoid avoid) {
    sync();
    UpstreamTarget sole = servers.soleBackup();
    if (sole != null) {
      return sole;
    }
    Boolean backups = servers.group();
    if (backups == null) {
      return null;
    }
    Group grp = backups ? bck : act;
    boolean switched = false;
    Node avoided = null;
    List<Node> full = null;
    Node srv;
    while (true) {
      if (grp.currWeight == 0) {
        grp.currPos = grp.currWeight = grp.nextWeight;
      }
      while (true) {
        srv = fromGroup(grp);
        if (srv != null) {
          break;
        }
        if (switched) {
          if (avoided != null) {
            srv = avoided;
            queue(grp, srv);
            requeue(grp, full, srv, switched);
            return srv.t;
          }
          requeue(grp, full, null, switched);
          return null;
        }
        switched = true;
        switchTrees(grp);
      }
      updatePosition(grp, srv);
      dequeue(grp, srv);
      grp.currPos++;
      if (Servers.free(srv.t)) {
        if (!avoid.avoid(srv.t) || avoided != null) {
          break;
        }
        avoided = srv;
      }
      if (full == null) {
        full = new ArrayList<>(2);
      }
      full.add(srv);
    }
    queue(grp, srv);
    requeue(grp, full, srv, switched);
    return srv.t;
  }

  private void requeue(Group grp, List<Node> full, Node taken, boolean switched) {
    if (full == null) {
      return;
    }
    for (Node f : full) {
      if (f == taken) {
        continue;
      }
      if (switched) {
        queueByWeight(grp, grp.init, f);
      } else {
        queue(grp, f);
      }
    }
  }

  /** Notices state and weight changes since the last pick (HAProxy is told of them as they happen). */
  private void sync() {
    for (Node n : nodes) {
      boolean usable = n.t.usable();
      int e = eweight(n.t);
      if (n.usable && !usable) {
        Group g = group(n);
        g.nextWeight -= n.eweight;
        dequeue(g, n);
        n.tree = Tree.NONE;
        n.usable = false;
        n.eweight = e;
      } else if (!n.usable && usable) {
        n.eweight = e;
        n.usable = true;
        Group g = group(n);
        g.nextWeight += n.eweight;
        prepare(g, n);
        n.npos = g.currPos + (g.nextWeight + g.currWeight - g.currPos) / n.eweight;
        queue(g, n);
      } else if (n.usable && e != n.eweight) {
        Group g = group(n);
        g.nextWeight = g.nextWeight - n.eweight + e;
        n.eweight = e;
        if (n.tree == Tree.INIT) {
          dequeue(g, n);
          queueByWeight(g, g.init, n);
        } else {
          prepare(g, n);
          long prevNext = n.npos;
          long step = g.nextWeight / n.eweight;
          n.npos = n.lpos + step;
          n.rweight = 0;
          if (n.npos > prevNext) {
            n.npos = prevNext;
          }
          if (n.npos < g.currPos + 2) {
            n.npos = g.currPos + step;
          }
          dequeue(g, n);
          queue(g, n);
        }
      }
    }
  }

  /** fwrr_get_srv: readies a server being taken out of its tree. */
  private void prepare(Group g, Node n) {
    if (n.tree == Tree.INIT) {
      n.npos = 0;
      n.rweight = 0;
    } else if (n.tree == Tree.NEXT) {
      n.npos += g.currWeight;
    } else if (n.tree == Tree.NONE) {
      n.npos = g.currPos;
    }
  }

  private Node fromGroup(Group g) {
    Node s1 = g.curr.isEmpty() ? null : g.curr.get(0);
    if (s1 != null && s1.eweight > 0 && s1.npos <= g.currPos) {
      return s1;
    }
    Node s2 = g.init.isEmpty() ? null : g.init.get(0);
    if (s2 != null && s2.eweight > 0) {
      s2.npos = 0;
      s2.rweight = 0;
      return s2;
    }
    return s1;
  }

  private static void switchTrees(Group g) {
    List<Node> swap = g.init;
    g.init = g.next;
    g.next = swap;
    for (Node n : g.init) {
      n.tree = Tree.INIT;
    }
    g.currWeight = g.nextWeight;
    g.currPos = g.currWeight;
  }

  private static void updatePosition(Group g, Node s) {
    if (s.eweight == 0) {
      return;
    }
    if (s.npos == 0) {
      s.npos = g.currPos;
    }
    s.lpos = s.npos;
    s.npos += g.nextWeight / s.eweight;
    s.rweight += g.nextWeight % s.eweight;
    if (s.rweight >= s.eweight) {
      s.rweight -= s.eweight;
      s.npos++;
    }
  }

  /** fwrr_queue_srv: into the current tree at its position, or the next tree if beyond the window. */
  private void queue(Group g, Node s) {
    if (!s.t.usable()) {
      s.tree = Tree.NONE;
    } else if (s.eweight <= 0 || s.npos >= 2 * g.currWeight || s.npos >= g.currWeight + g.nextWeight) {
      s.npos -= g.currWeight;
      queueByWeight(g, g.next, s);
    } else {
      s.key = UWGHT_RANGE * s.npos + (EWGHT_MAX + s.rweight - s.eweight) / Servers.SCALE;
      insert(g.curr, s);
      s.tree = Tree.CURR;
    }
  }

  private static void queueByWeight(Group g, List<Node> tree, Node s) {
    s.key = EWGHT_MAX - s.eweight;
    insert(tree, s);
    s.tree = tree == g.init ? Tree.INIT : Tree.NEXT;
  }

  /** Sorted by key; an equal key goes after the others, as in HAProxy's ebtrees. */
  private static void insert(List<Node> tree, Node s) {
    int i = tree.size();
    while (i > 0 && tree.get(i - 1).key > s.key) {
      i--;
    }
    tree.add(i, s);
  }

  private static void dequeue(Group g, Node s) {
    g.curr.remove(s);
    g.init.remove(s);
    g.next.remove(s);
  }
}
