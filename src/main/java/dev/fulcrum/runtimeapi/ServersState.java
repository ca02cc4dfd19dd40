package dev.fulcrum.runtimeapi;

import dev.fulcrum.runtime.Proxy;
import dev.fulcrum.upstream.CheckSpec;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.List;
import java.util.Map;

/**
 * {@code show servers state}: format version 1, the 25 columns of HAProxy's server-state file
 * (include/haproxy/server-t.h), one line per server.
 */
final class ServersState {
  static final String HEADER =
      "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight"
          + " srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state"
          + " srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl"
          + " srv_check_port srv_check_addr srv_agent_addr srv_agent_port";

  /** HCHK_STATUS_* numbers (include/haproxy/check-t.h). */
  private static final Map<String, Integer> CHECK_STATUS =
      Map.ofEntries(
          Map.entry("UNK", 0), Map.entry("INI", 1), Map.entry("L4OK", 6), Map.entry("L4TOUT", 7),
          Map.entry("L4CON", 8), Map.entry("L7TOUT", 12), Map.entry("L7RSP", 13), Map.entry("L7OK", 15),
          Map.entry("L7OKC", 16), Map.entry("L7STS", 17));

  private ServersState() {}

  /** @param backend a backend name, or empty for all */
  static String dump(List<Proxy> proxies, String backend) {
    StringBuilder sb = new StringBuilder();
    boolean found = backend.isEmpty();
    for (Proxy p : proxies) {
      if (p.backend() != null && p.name().equals(backend)) {
        found = true;
      }
    }
    if (!found) {
      return "Can't find backend.\n";
    }
    sb.append("1\n").append(HEADER).append('\n');
    for (Proxy p : proxies) {
      if (p.backend() == null || (!backend.isEmpty() && !p.name().equals(backend))) {
        continue;
      }
      for (UpstreamTarget t : p.backend().targets()) {
        line(sb, p, t);
      }
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, Proxy p, UpstreamTarget t) {
    TargetState st = t.state();
    CheckSpec check = t.options().check();
    boolean checked = check != null;
    int flags = st.flags();
    boolean maint = (flags & TargetState.MAINT) != 0;
    int op;
    if (maint || !st.up()) {
      op = 0;
    } else if ((flags & TargetState.STOPPING) != 0) {
      op = 3;
    } else if (t.throttlePercent() < 100) {
      op = 1;
    } else {
      op = 2;
    }
    int admin = (maint ? 0x01 : 0) | ((flags & TargetState.CONFIG_MAINT) != 0 ? 0x04 : 0)
        | ((flags & TargetState.DRAINING) != 0 ? 0x08 : 0);
    String status = checked ? st.check().status() : "INI";
    int result;
    switch (status) {
      case "L4OK":
      case "L7OK":
        result = 3;
        break;
      case "L7OKC":
        result = 4;
        break;
      case "INI":
      case "UNK":
        result = 0;
        break;
      default:
        result = 2;
    }
    int health = checked ? Math.max(0, st.check().health()) : t.options().rise();
    int checkState = checked ? 0x06 | (maint ? 0x08 : 0) : 0;
    String addr = t.address() != null ? t.address().getAddress().getHostAddress() : t.host();
    sb.append(p.id()).append(' ').append(p.name()).append(' ')
        .append(t.options().id()).append(' ').append(t.options().name()).append(' ')
        .append(addr).append(' ')
        .append(op).append(' ').append(admin).append(' ')
        .append(t.currentWeight()).append(' ').append(t.weight()).append(' ')
        .append((System.currentTimeMillis() - st.lastChangeMillis()) / 1000).append(' ')
        .append(CHECK_STATUS.getOrDefault(status, 0)).append(' ')
        .append(result).append(' ').append(health).append(' ').append(checkState).append(' ')
        .append("0 ")
        .append(p.forcedId() ? 1 : 0).append(' ').append(t.options().forcedId() ? 1 : 0).append(' ')
        .append("- ").append(t.port()).append(" - 0 ")
        .append(checked ? check.port() : 0).append(' ')
        .append(!checked || check.addr() == null ? "-" : check.addr()).append(' ')
        .append("- 0\n");
  }
}
