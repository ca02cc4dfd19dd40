package dev.fulcrum.runtimeapi;

import dev.fulcrum.metrics.Counters;
import dev.fulcrum.runtime.Proxy;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.CheckHealth;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * {@code show stat} and the stats page's {@code ;csv}: HAProxy 2.6's CSV (the Debian bookworm
 * build prometheus-haproxy-exporter and hatop were checked against), fields 0 to 102 then the
 * {@code -} column, every line ending with a comma, cells empty where HAProxy leaves them empty.
 */
public final class StatCsv {
  static final String[] FIELDS = {
    "pxname", "svname", "qcur", "qmax", "scur", "smax", "slim", "stot", "bin", "bout", "dreq", "dresp", "ereq",
    "econ", "eresp", "wretr", "wredis", "status", "weight", "act", "bck", "chkfail", "chkdown", "lastchg",
    "downtime", "qlimit", "pid", "iid", "sid", "throttle", "lbtot", "tracked", "type", "rate", "rate_lim",
    "rate_max", "check_status", "check_code", "check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx",
    "hrsp_5xx", "hrsp_other", "hanafail", "req_rate", "req_rate_max", "req_tot", "cli_abrt", "srv_abrt",
    "comp_in", "comp_out", "comp_byp", "comp_rsp", "lastsess", "last_chk", "last_agt", "qtime", "ctime", "rtime",
    "ttime", "agent_status", "agent_code", "agent_duration", "check_desc", "agent_desc", "check_rise",
    "check_fall", "check_health", "agent_rise", "agent_fall", "agent_health", "addr", "cookie", "mode", "algo",
    "conn_rate", "conn_rate_max", "conn_tot", "intercepted", "dcon", "dses", "wrew", "connect", "reuse",
    "cache_lookups", "cache_hits", "srv_icur", "src_ilim", "qtime_max", "ctime_max", "rtime_max", "ttime_max",
    "eint", "idle_conn_cur", "safe_conn_cur", "used_conn_cur", "need_conn_est", "uweight", "agg_server_status",
    "agg_server_check_status", "agg_check_status"
  };

  /** The header line: {@code # } and every field name, each followed by a comma. */
  public static final String HEADER = header();

  /** Row types for the {@code <type>} filter bit mask. */
  public static final int TYPE_FRONTEND = 1;
  public static final int TYPE_BACKEND = 2;
  public static final int TYPE_SERVER = 4;

  private static final int PXNAME = 0, SVNAME = 1, QCUR = 2, QMAX = 3, SCUR = 4, SMAX = 5, SLIM = 6, STOT = 7,
      BIN = 8, BOUT = 9, DREQ = 10, DRESP = 11, EREQ = 12, ECON = 13, ERESP = 14, WRETR = 15, WREDIS = 16,
      STATUS = 17, WEIGHT = 18, ACT = 19, BCK = 20, CHKFAIL = 21, CHKDOWN = 22, LASTCHG = 23, DOWNTIME = 24,
      QLIMIT = 25, PID = 26, IID = 27, SID = 28, THROTTLE = 29, LBTOT = 30, TYPE = 32, RATE = 33,
      RATE_LIM = 34, RATE_MAX = 35, CHECK_STATUS = 36, CHECK_CODE = 37, CHECK_DURATION = 38, HRSP_1XX = 39,
      REQ_RATE = 46, REQ_RATE_MAX = 47, REQ_TOT = 48, CLI_ABRT = 49, SRV_ABRT = 50, COMP_IN = 51, LASTSESS = 55,
      LAST_CHK = 56, QTIME = 58, CTIME = 59, RTIME = 60, TTIME = 61, CHECK_DESC = 65, CHECK_RISE = 67,
      CHECK_FALL = 68, CHECK_HEALTH = 69, ADDR = 73, MODE = 75, ALGO = 76, CONN_RATE = 77, CONN_RATE_MAX = 78,
      CONN_TOT = 79, INTERCEPTED = 80, DCON = 81, DSES = 82, WREW = 83, CONNECT = 84, REUSE = 85,
      CACHE_LOOKUPS = 86, CACHE_HITS = 87, SRV_ICUR = 88, QTIME_MAX = 90, EINT = 94, IDLE_CONN_CUR = 95,
      NEED_CONN_EST = 98, UWEIGHT = 99, AGG_SERVER_STATUS = 100, AGG_CHECK_STATUS = 102;

  private StatCsv() {}

  private static String header() {
    StringBuilder sb = new StringBuilder("# ");
    for (String f : FIELDS) {
      sb.append(f).append(',');
    }
    return sb.append("-,").toString();
  }

  /**
   * The whole dump.
   *
   * @param proxyFilter a proxy name or id, null for all
   * @param types bit mask of row types, -1 for all
   * @param serverId a server id, -1 for all
   * @param legends whether addr and algo are shown (level operator and up, or show-legends)
   * @param upOnly hide servers in maintenance or down ({@code up}); {@code noMaint} hides
   *     maintenance only; both turn backend statuses into "UP (n/m)"
   * @param stopping the node no longer accepts: frontends show STOP
   */
  public static String dump(
      List<Proxy> proxies, String proxyFilter, int types, int serverId, boolean legends, boolean upOnly,
      boolean noMaint, boolean stopping) {
    StringBuilder out = new StringBuilder(HEADER).append('\n');
    for (Proxy p : proxies) {
      if (proxyFilter != null && !matches(p, proxyFilter)) {
        continue;
      }
      if (p.frontend() != null && (types & TYPE_FRONTEND) != 0) {
        line(out, frontend(p, stopping));
      }
      Backend b = p.backend();
      if (b != null) {
        if ((types & TYPE_SERVER) != 0) {
          for (UpstreamTarget s : b.targets()) {
            if (serverId != -1 && s.options().id() != serverId) {
              continue;
            }
            TargetState st = s.state();
            boolean maint = st.has(TargetState.MAINT);
            if ((noMaint || upOnly) && maint) {
              continue;
            }
            if (upOnly && !st.up() && (!s.checked() || st.check().health() <= 0)) {
              continue;
            }
            line(out, server(p, s, legends));
          }
        }
        if ((types & TYPE_BACKEND) != 0) {
          line(out, backend(p, legends, upOnly || noMaint));
        }
      }
    }
    return out.toString();
  }

  static boolean matches(Proxy p, String filter) {
    if (p.name().equals(filter)) {
      return true;
    }
    try {
      return Integer.parseInt(filter) == p.id();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void line(StringBuilder out, String[] row) {
    for (String cell : row) {
      if (cell != null) {
        if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0) {
          out.append('"').append(cell.replace("\"", "\"\"")).append('"');
        } else {
          out.append(cell);
        }
      }
      out.append(',');
    }
    out.append("-,\n");
  }

  private static String n(long v) {
    return Long.toString(v);
  }

  private static void traffic(String[] r, Counters c) {
    r[SCUR] = n(c.current.get());
    r[SMAX] = n(c.max.get());
    r[STOT] = n(c.total.sum());
    r[BIN] = n(c.bytesIn.sum());
    r[BOUT] = n(c.bytesOut.sum());
    r[RATE] = n(c.sessionRate.current());
    r[RATE_MAX] = n(c.sessionRate.max());
    r[WREW] = "0";
    r[EINT] = "0";
  }

  private static void httpResponses(String[] r, Counters c) {
    for (int i = 0; i < 6; i++) {
      r[HRSP_1XX + i] = n(c.responses[i].sum());
    }
  }

  static String[] frontend(Proxy p, boolean stopping) {
    String[] r = new String[FIELDS.length];
    Counters c = p.frontend().counters();
    r[PXNAME] = p.name();
    r[SVNAME] = "FRONTEND";
    traffic(r, c);
    int limit = p.frontend().limit().max();
    r[SLIM] = limit > 0 ? n(limit) : null;
    r[DREQ] = "0";
    r[DRESP] = "0";
    r[EREQ] = n(c.requestErrors.sum());
    r[STATUS] = stopping ? "STOP" : "OPEN";
    r[PID] = "1";
    r[IID] = n(p.id());
    r[SID] = "0";
    r[TYPE] = "0";
    r[RATE_LIM] = "0";
    if (p.http()) {
      httpResponses(r, c);
      r[INTERCEPTED] = "0";
      r[CACHE_LOOKUPS] = "0";
      r[CACHE_HITS] = "0";
    }
    r[REQ_RATE] = n(c.requestRate.current());
    r[REQ_RATE_MAX] = n(c.requestRate.max());
    r[REQ_TOT] = n(c.requests.sum());
    for (int i = 0; i < 4; i++) {
      r[COMP_IN + i] = "0";
    }
    r[MODE] = p.mode();
    r[CONN_RATE] = r[RATE];
    r[CONN_RATE_MAX] = r[RATE_MAX];
    r[CONN_TOT] = r[STOT];
    r[DCON] = "0";
    r[DSES] = "0";
    return r;
  }

  /** Backend and server rows share these. */
  private static void balanced(String[] r, Counters c) {
    traffic(r, c);
    r[QCUR] = n(c.queued.get());
    r[QMAX] = n(c.queuedMax.get());
    r[DRESP] = "0";
    r[ECON] = n(c.connectErrors.sum());
    r[ERESP] = n(c.responseErrors.sum() + c.serverAborts.sum());
    r[WRETR] = n(c.retries.sum());
    r[WREDIS] = n(c.redispatches.sum());
    r[PID] = "1";
    r[LBTOT] = n(c.selected.sum());
    r[CLI_ABRT] = n(c.clientAborts.sum());
    r[SRV_ABRT] = n(c.serverAborts.sum());
    r[LASTSESS] = n(c.secondsSinceLastSession());
    r[QTIME] = n(c.queueTime.average());
    r[CTIME] = n(c.connectTime.average());
    r[RTIME] = n(c.responseTime.average());
    r[TTIME] = n(c.totalTime.average());
    r[QTIME_MAX] = n(c.queueTime.max());
    r[QTIME_MAX + 1] = n(c.connectTime.max());
    r[QTIME_MAX + 2] = n(c.responseTime.max());
    r[QTIME_MAX + 3] = n(c.totalTime.max());
    r[CONNECT] = n(c.connects.sum());
    r[REUSE] = n(c.reuses.sum());
  }

  static String[] server(Proxy p, UpstreamTarget t, boolean legends) {
    String[] r = new String[FIELDS.length];
    TargetState st = t.state();
    Counters c = st.counters();
    r[PXNAME] = p.name();
    r[SVNAME] = t.options().name();
    balanced(r, c);
    int maxconn = t.options().maxconn();
    r[SLIM] = maxconn > 0 ? n(maxconn) : null;
    r[STATUS] = status(t);
    boolean drained = st.has(TargetState.DRAINING);
    r[WEIGHT] = n(drained ? 0 : (t.effectiveWeight() + 15) / 16);
    r[UWEIGHT] = n(t.currentWeight());
    r[ACT] = t.options().backup() ? "0" : "1";
    r[BCK] = t.options().backup() ? "1" : "0";
    if (t.checked()) {
      CheckHealth ch = st.check();
      r[CHKFAIL] = n(ch.failures());
      r[CHKDOWN] = n(st.downTransitions());
      r[DOWNTIME] = n(st.downtimeSeconds());
      if (!st.has(TargetState.MAINT)) {
        r[CHECK_STATUS] = ch.status();
        r[CHECK_CODE] = ch.code() > 0 ? n(ch.code()) : null;
        r[CHECK_DURATION] = ch.durationMillis() >= 0 ? n(ch.durationMillis()) : null;
        r[CHECK_DESC] = ch.desc();
        r[LAST_CHK] = ch.info();
        r[CHECK_RISE] = n(t.options().rise());
        r[CHECK_FALL] = n(t.options().fall());
        r[CHECK_HEALTH] = n(Math.max(0, ch.health()));
      }
    }
    r[LASTCHG] = n((System.currentTimeMillis() - st.lastChangeMillis()) / 1000);
    int qlimit = t.options().maxqueue();
    r[QLIMIT] = qlimit > 0 ? n(qlimit) : null;
    r[IID] = n(p.id());
    r[SID] = n(t.options().id());
    int throttle = t.throttlePercent();
    r[THROTTLE] = throttle < 100 ? n(throttle) : null;
    r[TYPE] = "2";
    r[RATE] = n(c.sessionRate.current());
    r[RATE_MAX] = n(c.sessionRate.max());
    r[RATE_LIM] = null;
    if (p.http()) {
      httpResponses(r, c);
      r[REQ_TOT] = n(c.requests.sum());
    }
    if (legends) {
      InetSocketAddress a = t.address();
      String host = a != null ? a.getAddress().getHostAddress() : t.host();
      r[ADDR] = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + t.port();
    }
    r[MODE] = p.mode();
    r[SRV_ICUR] = "0";
    r[IDLE_CONN_CUR] = "0";
    r[IDLE_CONN_CUR + 1] = "0";
    r[IDLE_CONN_CUR + 2] = n(st.inFlight());
    r[NEED_CONN_EST] = n(st.inFlight());
    return r;
  }

  static String[] backend(Proxy p, boolean legends, boolean counted) {
    String[] r = new String[FIELDS.length];
    Backend b = p.backend();
    List<UpstreamTarget> servers = b.targets();
    Counters c = b.counters();
    r[PXNAME] = p.name();
    r[SVNAME] = "BACKEND";
    balanced(r, c);
    r[SLIM] = n(b.fullconn());
    r[DREQ] = "0";
    int act = 0;
    int bck = 0;
    int weight = 0;
    int uweight = 0;
    int notStopped = 0;
    for (UpstreamTarget t : servers) {
      // A server in maintenance is stopped as far as HAProxy's op state goes.
      if (t.state().up() && !t.state().has(TargetState.MAINT)) {
        notStopped++;
      }
      if (!t.usable() || t.currentWeight() == 0) {
        continue;
      }
      if (t.options().backup()) {
        bck++;
      } else {
        act++;
      }
    }
    // The weight counted is the group in use: the active servers, or the backups when none is left.
    for (UpstreamTarget t : servers) {
      if (t.usable() && t.options().backup() == (act == 0)) {
        weight += (t.effectiveWeight() + 15) / 16;
        uweight += t.currentWeight();
      }
    }
    boolean up = weight > 0 || servers.isEmpty();
    r[STATUS] = (up ? "UP" : "DOWN") + (counted ? " (" + notStopped + "/" + servers.size() + ")" : "");
    r[WEIGHT] = n(weight);
    r[UWEIGHT] = n(uweight);
    r[ACT] = n(act);
    r[BCK] = n(bck);
    r[CHKDOWN] = n(b.state().downTransitions());
    r[LASTCHG] = n((System.currentTimeMillis() - b.state().lastChangeMillis()) / 1000);
    r[DOWNTIME] = servers.isEmpty() ? null : n(b.state().downtimeSeconds());
    r[IID] = n(p.id());
    r[SID] = "0";
    r[TYPE] = "1";
    if (p.http()) {
      httpResponses(r, c);
      r[REQ_TOT] = n(c.requests.sum());
      r[CACHE_LOOKUPS] = "0";
      r[CACHE_HITS] = "0";
    }
    for (int i = 0; i < 4; i++) {
      r[COMP_IN + i] = "0";
    }
    r[MODE] = p.mode();
    if (legends) {
      r[ALGO] = b.algorithm().configName();
    }
    r[AGG_SERVER_STATUS] = "0";
    r[AGG_SERVER_STATUS + 1] = "0";
    r[AGG_CHECK_STATUS] = "0";
    return r;
  }

  /** HAProxy's server status text (src/stats.c, srv_hlt_st and stats_fill_sv_stats_computestate). */
  static String status(UpstreamTarget s) {
    TargetState st = s.state();
    int flags = st.flags();
    if ((flags & TargetState.MAINT) != 0) {
      return "MAINT";
    }
    int h = Math.max(0, st.check().health());
    int rise = s.options().rise();
    int fall = s.options().fall();
    int full = rise + fall - 1;
    boolean checked = s.checked();
    if (!st.up()) {
      if (checked && h > 0) {
        return "DOWN " + h + "/" + rise;
      }
      return "DOWN";
    }
    boolean goingDown = checked && h < full;
    if ((flags & TargetState.STOPPING) != 0) {
      return goingDown ? "NOLB " + (h - rise + 1) + "/" + fall : "NOLB";
    }
    if ((flags & TargetState.DRAINING) != 0) {
      return goingDown ? "DRAIN " + (h - rise + 1) + "/" + fall : "DRAIN";
    }
    if (goingDown) {
      return "UP " + (h - rise + 1) + "/" + fall;
    }
    return checked ? "UP" : "no check";
  }
}
