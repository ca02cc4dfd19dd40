package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.CondTerm;
import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What holds across sections: proxy and server ids, references between proxies, timeouts. */
final class CfgValidation {
  private CfgValidation() {}

  /** Proxy and server ids, and references between proxies. */
  static void assignIds(HaproxyConfig config) {
    // The CLI's internal proxy takes id 0 and shifts numbering when a stats socket exists, as in
    // HAProxy (first user proxy iid 2).
    Set<Integer> taken = new HashSet<>();
    for (Proxy p : config.proxies) {
      if (p.id > 0 && !taken.add(p.id)) {
        throw new CfgException(p.where + ": proxy id " + p.id + " is already used");
      }
    }
    int next = config.global.statsSockets.isEmpty() ? 1 : 2;
    for (Proxy p : config.proxies) {
      if (p.id == 0) {
        while (taken.contains(next)) {
          next++;
        }
        p.id = next;
        taken.add(next);
      }
      Set<Integer> sids = new HashSet<>();
      for (Server s : p.servers) {
        if (s.id > 0 && !sids.add(s.id)) {
          throw new CfgException(s.where + ": server id " + s.id + " is already used in '" + p.name + "'");
        }
      }
      int sid = 1;
      for (Server s : p.servers) {
        if (s.id == 0) {
          while (sids.contains(sid)) {
            sid++;
          }
          s.id = sid;
          sids.add(sid);
        }
      }
    }
  }

  static void check(HaproxyConfig config) {
    for (Proxy p : config.proxies) {
      if (p.isFrontend() && p.binds.isEmpty()) {
        throw new CfgException(p.where + ": " + p.kind.name().toLowerCase(Locale.ROOT) + " '" + p.name + "' has no 'bind' directive");
      }
      checkBackendRef(config, p, p.defaultBackend, p.defaultBackendWhere);
      for (HaproxyConfig.UseBackend u : p.useBackends) {
        checkBackendRef(config, p, u.backend(), u.where());
        checkAcls(p, u.condition(), u.where());
      }
      List<HaproxyConfig.HttpRule> rules = new ArrayList<>(p.httpRequestRules);
      rules.addAll(p.httpResponseRules);
      for (HaproxyConfig.HttpRule r : rules) {
        checkAcls(p, r.condition(), r.where());
      }
      if (!p.http() && !rules.isEmpty()) {
        config.warnings.add(rules.get(0).where() + ": 'http-request' and 'http-response' rules of "
            + p.kind.name().toLowerCase(Locale.ROOT) + " '" + p.name + "' are ignored: they require HTTP mode");
      }
      if (p.isFrontend() && !p.http()) {
        for (HaproxyConfig.UseBackend u : p.useBackends) {
          if (u.condition() != null && AclParser.needsHttp(p, u.condition())) {
            config.warnings.add(
                u.where() + ": this 'use_backend' rule will never match in a tcp frontend: its condition needs HTTP ('mode http')");
          }
        }
      }
      List<String> missing = new ArrayList<>();
      if (p.isFrontend() && p.timeoutClient == 0) {
        missing.add("client");
      }
      if (p.isBackend() && p.timeoutConnect == 0) {
        missing.add("connect");
      }
      if (p.isBackend() && p.timeoutServer == 0) {
        missing.add("server");
      }
      if (!missing.isEmpty()) {
        config.warnings.add(
            p.where + ": missing timeouts for " + p.kind.name().toLowerCase(Locale.ROOT) + " '" + p.name
                + "' (" + String.join(", ", missing) + "); while not properly invalid, you will certainly encounter"
                + " various problems with such a configuration (a zero timeout waits forever)");
      }
    }
  }

  private static void checkAcls(Proxy p, HaproxyConfig.Condition c, String where) {
    if (c == null) {
      return;
    }
    for (List<CondTerm> g : c.orGroups()) {
      for (CondTerm t : g) {
        if (t.aclName() != null && !p.acls.containsKey(t.aclName())) {
          throw new CfgException(where + ": no such ACL : '" + t.aclName() + "'");
        }
      }
    }
  }

  private static void checkBackendRef(HaproxyConfig config, Proxy from, String name, String where) {
    if (name == null) {
      return;
    }
    Proxy b = config.proxy(name);
    if (b == null || !b.isBackend()) {
      throw new CfgException(where + ": unable to find required backend '" + name + "' for '" + from.name + "'");
    }
    if (from.http() != b.http()) {
      throw new CfgException(
          where + ": unable to use " + b.mode + " backend '" + name + "' in " + from.mode + " frontend '" + from.name + "'");
    }
  }
}
