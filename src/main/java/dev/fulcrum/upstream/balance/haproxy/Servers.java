package dev.fulcrum.upstream.balance.haproxy;

import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.balance.Avoid;

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

  static boolean usable(UpstreamTarget t) {
    return t.usable() && t.currentWeight() > 0;
  }

  boolean anyActive() {
    for (UpstreamTarget t : all) {
      if (!t.options().backup() && usable(t)) {
        return true;
      }
    }
    return false;
  }

  /** The first usable backup in declaration order (HAProxy's fbck), or null. */
  UpstreamTarget firstBackup() {
    for (UpstreamTarget t : all) {
      if (t.options().backup() && usable(t)) {
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
      if (t.options().backup() && usable(t)) {
        return Boolean.TRUE;
      }
    }
    return null;
  }

  /** The single backup to use when backups serve without allbackups, else null. */
  UpstreamTarget soleBackup() {
    return !allBackups && !anyActive() ? firstBackup() : null;
  }

  static boolean inGroup(UpstreamTarget t, boolean backups) {
    return t.options().backup() == backups;
  }

  /** HAProxy's per-pick fallback: a saturated or avoided server is not taken. */
  static boolean free(UpstreamTarget t) {
    return !t.full();
  }

  static boolean avoided(UpstreamTarget t, Avoid avoid) {
    return avoid.avoid(t);
  }
}
