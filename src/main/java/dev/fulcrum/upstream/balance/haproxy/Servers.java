package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.Avoid;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A backend's servers as HAProxy's load balancers see them: the active group, and the backups
 * that are used only when no active server is usable (the first usable backup alone, or all of
 * them with {@code option allbackups}).
 */
final class Servers {
  /** Effective weights are user weights times this (HAProxy's BE_WEIGHT_SCALE). */
  static final int SCALE = 16;

  final UpstreamTarget[] all;
  final boolean allBackups;

  Servers(UpstreamTarget[] all, boolean allBackups) {
    this.all = all;
    this.allBackups = allBackups;
  }

  boolean anyActive() {
    for (UpstreamTarget t : all) {
      if (!t.options().backup() && t.usable()) {
        return true;
      }
    }
    return false;
  }

  /** The first usable backup in declaration order (HAProxy's fbck), or null. */
  UpstreamTarget firstBackup() {
    for (UpstreamTarget t : all) {
      if (t.options().backup() && t.usable()) {
        return t;
      }
    }
    return null;
  }

  /** Which group serves now: false = active, true = backups; null = nobody. */
  Boolean group() {
    if (anyActive()) {
      return Boolean.FALSE;
    }
    for (UpstreamTarget t : all) {
      if (t.options().backup() && t.usable()) {
        return Boolean.TRUE;
      }
    }
    return null;
  }

  /** The single backup to use when backups serve without allbackups, else null. */
  UpstreamTarget soleBackup() {
    return !allBackups && !anyActive() ? firstBackup() : null;
  }

  /**
   * The usable servers of the group serving now, in declaration order: the active ones, else the
   * first backup (or every backup with allbackups); empty when nobody can serve.
   */
  List<UpstreamTarget> serving() {
    List<UpstreamTarget> out = new ArrayList<>();
    UpstreamTarget sole = soleBackup();
    if (sole != null) {
      out.add(sole);
      return out;
    }
    Boolean backups = group();
    if (backups != null) {
      for (UpstreamTarget t : all) {
        if (inGroup(t, backups) && t.usable()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  static boolean inGroup(UpstreamTarget t, boolean backups) {
    return t.options().backup() == backups;
  }

  /** HAProxy's per-pick fallback: a saturated or avoided server is not taken. */
  static boolean free(UpstreamTarget t) {
    return !t.full();
  }

  /**
   * The least server by {@code order} in the serving group that is usable, below its maxconn and
   * not avoided; failing that, the least avoided one. HAProxy's first and leastconn walk a tree in
   * this order and keep the first avoided server as the last resort.
   */
  UpstreamTarget least(Comparator<UpstreamTarget> order, Avoid avoid) {
    UpstreamTarget sole = soleBackup();
    if (sole != null) {
      return sole;
    }
    Boolean backups = group();
    if (backups == null) {
      return null;
    }
    UpstreamTarget best = null;
    UpstreamTarget avoided = null;
    for (UpstreamTarget t : all) {
      if (!inGroup(t, backups) || !t.usable() || !free(t)) {
        continue;
      }
      if (!avoid.avoid(t)) {
        best = best == null || order.compare(t, best) < 0 ? t : best;
      } else {
        avoided = avoided == null || order.compare(t, avoided) < 0 ? t : avoided;
      }
    }
    return best != null ? best : avoided;
  }
}
