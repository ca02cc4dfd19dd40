package dev.fulcrum.runtimeapi;

import dev.fulcrum.conf.HaproxyTime;
import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.conf.Version;
import dev.fulcrum.runtime.Proxy;
import dev.fulcrum.upstream.ServerChange;
import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runtime API's commands with HAProxy 2.6's words, levels, replies and error texts
 * (src/cli.c, src/stats.c, src/server.c, src/proxy.c). A command's output never contains an
 * empty line: the session adds the one that ends it.
 */
final class Commands {
  static final int USER = 1;
  static final int OPERATOR = 2;
  static final int ADMIN = 3;

  /** What a command may do to the connection it arrived on. */
  interface Session {
    int level();

    void level(int level);

    void timeoutSeconds(long seconds);
  }

  private interface Handler {
    String run(Session session, String[] args);
  }

  private record Command(String[] words, String usage, Handler handler) {}

  private static final String PERMISSION_DENIED = "Permission denied\n";

  private final RuntimeModel model;
  private final List<Command> commands = new ArrayList<>();

  Commands(RuntimeModel model) {
    this.model = model;
    add("disable server", "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)",
        (s, a) -> admin(s, () -> onServer(a[2], (p, v) -> maint(p, v, true))));
    add("enable server", "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)",
        (s, a) -> admin(s, () -> onServer(a[2], (p, v) -> maint(p, v, false))));
    add("get weight", "get weight <bk>/<srv>                   : report a server's current weight",
        (s, a) -> onServer(a[2], (p, v) -> v.currentWeight() + " (initial " + v.weight() + ")\n"));
    add("operator", "operator                                : lower the level of the current CLI session to operator",
        (s, a) -> lower(s, OPERATOR));
    add("set maxconn frontend", "set maxconn frontend <frontend> <value> : change a frontend's maxconn setting",
        (s, a) -> admin(s, () -> maxconnFrontend(a)));
    add("set maxconn global", "set maxconn global <value>              : change the per-process maxconn setting",
        (s, a) -> admin(s, () -> maxconnGlobal(a)));
    add("set server", "set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl",
        (s, a) -> admin(s, () -> onServer(a[2], (p, v) -> setServer(p, v, a))));
    add("set timeout", "set timeout [cli] <delay>               : change a timeout setting", this::setTimeout);
    add("set weight", "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)",
        (s, a) -> admin(s, () -> onServer(a[2], (p, v) -> weight(p, v, a[3]))));
    add("show backend", "show backend                            : list backends in the current running config",
        (s, a) -> showBackend());
    add("show cli level", "show cli level                          : display the level of the current CLI session",
        (s, a) -> levelName(s.level()) + "\n");
    add("show info", "show info [desc|json|typed|float]*      : report information about the running process",
        (s, a) -> showInfo(a));
    add("show servers state", "show servers state [<backend>]          : dump volatile server information (all or for a single backend)",
        (s, a) -> ServersState.dump(model.proxies(), a[3]));
    add("show stat", "show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server",
        this::showStat);
    add("show version", "show version                            : show version of the current process",
        (s, a) -> Version.VERSION + "\n");
    add("user", "user                                    : lower the level of the current CLI session to user",
        (s, a) -> lower(s, USER));
    commands.sort(Comparator.comparing(Command::usage));
  }

  private void add(String words, String usage, Handler h) {
    commands.add(new Command(words.split(" "), usage, h));
  }

  /** Runs one command (words already split); {@code help} is answered here too. */
  String run(Session session, String[] args) {
    if (args.length == 0) {
      return "";
    }
    if (args[0].equals("help")) {
      return usage(Arrays.copyOfRange(args, 1, args.length), true);
    }
    Command best = null;
    for (Command c : commands) {
      if (prefixOf(c.words, args) && (best == null || c.words.length > best.words.length)) {
        best = c;
      }
    }
    if (best == null) {
      return usage(args, false);
    }
    // Missing arguments read as empty strings, as HAProxy's args[] do.
    String[] padded = Arrays.copyOf(args, Math.max(args.length, 8));
    for (int i = args.length; i < padded.length; i++) {
      padded[i] = "";
    }
    return best.handler.run(session, padded);
  }

  private static boolean prefixOf(String[] words, String[] args) {
    if (args.length < words.length) {
      return false;
    }
    for (int i = 0; i < words.length; i++) {
      if (!words[i].equals(args[i])) {
        return false;
      }
    }
    return true;
  }

  /** HAProxy's usage message: everything, or the commands sharing the words that matched. */
  private String usage(String[] args, boolean help) {
    int matched = 0;
    for (Command c : commands) {
      int n = 0;
      while (n < c.words.length && n < args.length && c.words[n].equals(args[n])) {
        n++;
      }
      matched = Math.max(matched, n);
    }
    StringBuilder sb = new StringBuilder();
    if (help) {
      sb.append("The following commands are valid at this level:\n");
    } else if (matched == 0) {
      sb.append("Unknown command. Please enter one of the following commands only:\n");
    } else {
      sb.append("Unknown command, but maybe one of the following ones is a better match:\n");
    }
    for (Command c : commands) {
      if (matched == 0 || (c.words.length >= matched && prefixOf(Arrays.copyOf(c.words, matched), args))) {
        sb.append("  ").append(c.usage).append('\n');
      }
    }
    sb.append("  help [<command>]                        : list matching or all commands\n");
    sb.append("  prompt                                  : toggle interactive mode with prompt\n");
    sb.append("  quit                                    : disconnect\n");
    return sb.toString();
  }

  private static String admin(Session s, java.util.function.Supplier<String> action) {
    return s.level() < ADMIN ? PERMISSION_DENIED : action.get();
  }

  static String levelName(int level) {
    switch (level) {
      case ADMIN:
        return "admin";
      case OPERATOR:
        return "operator";
      case USER:
        return "user";
      default:
        return "unknown";
    }
  }

  private static String lower(Session s, int level) {
    if (s.level() < level) {
      return PERMISSION_DENIED;
    }
    s.level(level);
    return "";
  }

  private String setTimeout(Session s, String[] a) {
    if (!a[2].equals("cli")) {
      return "'set timeout' only supports 'cli'.\n";
    }
    if (a[3].isEmpty()) {
      return "Expects an integer value.\n";
    }
    long seconds = cliTime(a[3]);
    if (seconds < 1) {
      return "Invalid timeout value.\n";
    }
    s.timeoutSeconds(seconds);
    return "";
  }

  /** A CLI time: seconds unless a unit says otherwise; -1 when unparsable. */
  static long cliTime(String v) {
    try {
      return HaproxyTime.millis(v, TimeUnit.SECONDS) / 1000;
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ stats

  private String showStat(Session s, String[] a) {
    int arg = 2;
    if (a[arg].equals("domain")) {
      if (!a[arg + 1].equals("proxy")) {
        return "Fulcrum only has the 'proxy' stats domain.\n";
      }
      arg += 2;
    }
    String proxy = null;
    int types = -1;
    int sid = -1;
    if (!a[arg].isEmpty() && !a[arg + 1].isEmpty() && !a[arg + 2].isEmpty()) {
      int iid = atoi(a[arg]);
      if (iid == 0) {
        Proxy p = proxyByName(a[arg]);
        if (p == null) {
          return "No such proxy.\n";
        }
        iid = p.id();
      }
      proxy = iid == -1 ? null : Integer.toString(iid);
      types = atoi(a[arg + 1]);
      sid = atoi(a[arg + 2]);
      arg += 3;
    }
    boolean up = false;
    boolean noMaint = false;
    for (; !a[arg].isEmpty(); arg++) {
      switch (a[arg]) {
        case "up":
          up = true;
          break;
        case "no-maint":
          noMaint = true;
          break;
        case "desc":
          break;
        case "typed":
        case "json":
          return "Fulcrum's 'show stat' speaks CSV only; '" + a[arg] + "' is not implemented.\n";
        default:
          return "show stat: unknown option '" + a[arg] + "' (expected: desc, json, no-maint, typed, up).\n";
      }
    }
    return StatCsv.dump(model.proxies(), proxy, types, sid, s.level() >= OPERATOR, up, noMaint, model.process().stopping());
  }

  /** C's atoi: leading sign and digits, 0 when there are none. */
  static int atoi(String v) {
    int i = 0;
    int sign = 1;
    if (i < v.length() && (v.charAt(i) == '-' || v.charAt(i) == '+')) {
      sign = v.charAt(i) == '-' ? -1 : 1;
      i++;
    }
    long n = 0;
    while (i < v.length() && Character.isDigit(v.charAt(i)) && n < Integer.MAX_VALUE) {
      n = n * 10 + (v.charAt(i++) - '0');
    }
    return (int) (sign * Math.min(n, Integer.MAX_VALUE));
  }

  private String showInfo(String[] a) {
    for (int i = 2; !a[i].isEmpty(); i++) {
      if (!a[i].equals("desc") && !a[i].equals("float")) {
        return "Fulcrum's 'show info' speaks the default format only; '" + a[i] + "' is not implemented.\n";
      }
    }
    return InfoFields.dump(model);
  }

  private String showBackend() {
    StringBuilder sb = new StringBuilder("# name\n");
    for (Proxy p : model.proxies()) {
      if (p.backend() != null) {
        sb.append(p.name()).append('\n');
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------- servers

  private interface ServerAction {
    String apply(Proxy proxy, UpstreamTarget server);
  }

  private Proxy proxyByName(String name) {
    for (Proxy p : model.proxies()) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** HAProxy's cli_find_server: {@code backend/server}, either part a name or {@code #id}. */
  private String onServer(String arg, ServerAction action) {
    int slash = arg.indexOf('/');
    if (slash <= 0 || slash == arg.length() - 1) {
      return "Require 'backend/server'.\n";
    }
    String b = arg.substring(0, slash);
    String s = arg.substring(slash + 1);
    Proxy proxy = null;
    for (Proxy p : model.proxies()) {
      if (p.backend() != null && (b.startsWith("#") ? ("#" + p.id()).equals(b) : p.name().equals(b))) {
        proxy = p;
        break;
      }
    }
    if (proxy == null) {
      return "No such backend.\n";
    }
    for (UpstreamTarget v : proxy.backend().targets()) {
      if (s.startsWith("#") ? ("#" + v.options().id()).equals(s) : v.options().name().equals(s)) {
        return action.apply(proxy, v);
      }
    }
    return "No such server.\n";
  }

  private String maint(Proxy p, UpstreamTarget v, boolean on) {
    TargetState st = v.state();
    if (st.setFlag(TargetState.MAINT, on)) {
      if (!on) {
        st.setFlag(TargetState.CONFIG_MAINT, false);
      }
      p.backend().serverChanged(v, on ? ServerChange.ENTER_MAINT : ServerChange.LEAVE_MAINT);
    }
    return "";
  }

  private String drain(Proxy p, UpstreamTarget v, boolean on) {
    if (v.state().setFlag(TargetState.DRAINING, on)) {
      p.backend().serverChanged(v, on ? ServerChange.ENTER_DRAIN : ServerChange.LEAVE_DRAIN);
    }
    return "";
  }

  private String setServer(Proxy p, UpstreamTarget v, String[] a) {
    String what = a[3];
    String value = a[4];
    switch (what) {
      case "weight":
        return weight(p, v, value);
      case "state":
        switch (value) {
          case "ready":
            drain(p, v, false);
            return maint(p, v, false);
          case "drain":
            maint(p, v, false);
            return drain(p, v, true);
          case "maint":
            drain(p, v, false);
            return maint(p, v, true);
          default:
            return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n";
        }
      case "health":
        {
          TargetState st = v.state();
          int full = v.options().rise() + v.options().fall() - 1;
          switch (value) {
            case "up":
              st.setFlag(TargetState.STOPPING, false);
              st.forceCheckHealth(full, true, "changed from CLI");
              p.backend().serverChanged(v, ServerChange.HEALTH_UP);
              return "";
            case "stopping":
              st.forceCheckHealth(full, true, "changed from CLI");
              st.setFlag(TargetState.STOPPING, true);
              p.backend().serverChanged(v, ServerChange.HEALTH_STOPPING);
              return "";
            case "down":
              st.setFlag(TargetState.STOPPING, false);
              st.forceCheckHealth(0, false, "changed from CLI");
              p.backend().serverChanged(v, ServerChange.HEALTH_DOWN);
              return "";
            default:
              return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n";
          }
        }
      case "agent":
        return "agent checks are not enabled on this server.\n";
      default:
        return "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | agent-send | "
            + "check-addr | check-port | fqdn | health | ssl | state | weight\n";
    }
  }

  /** HAProxy's server_parse_weight_change_request, replies included. */
  private String weight(Proxy p, UpstreamTarget v, String text) {
    if (text.isEmpty()) {
      return "Require <weight> or <weight%>.\n";
    }
    int i = 0;
    if (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
      i++;
    }
    int digits = i;
    while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
      digits++;
    }
    if (digits == i) {
      return "Empty weight string empty or preceded by garbage";
    }
    long w = Long.parseLong(text.substring(0, Math.min(digits, i + 12)));
    String rest = text.substring(digits);
    int initial = v.weight();
    if (rest.equals("%")) {
      if (w < 0) {
        return "Relative weight must be positive.\n";
      }
      w = Math.min(w, 25600);
      w = initial * w / 100;
      w = Math.min(w, 256);
    } else if (w < 0 || w > 256) {
      return "Absolute weight can only be between 0 and 256 inclusive.\n";
    } else if (!rest.isEmpty()) {
      return "Trailing garbage in weight string";
    }
    if (w != 0 && w != initial && p.backend().staticWeights()) {
      return "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n";
    }
    v.state().setWeightOverride(w == initial ? -1 : (int) w);
    p.backend().serverChanged(v, ServerChange.WEIGHT);
    return "";
  }

  private String maxconnFrontend(String[] a) {
    Proxy p = proxyByName(a[3]);
    if (p == null || p.frontend() == null) {
      return "No such frontend.\n";
    }
    if (a[4].isEmpty()) {
      return "Integer value expected.\n";
    }
    int v = atoi(a[4]);
    if (v < 0) {
      return "Value out of range.\n";
    }
    p.frontend().limit().setMax(v);
    return "";
  }

  private String maxconnGlobal(String[] a) {
    if (a[3].isEmpty()) {
      return "Expects an integer value.\n";
    }
    int v = atoi(a[3]);
    ConnectionLimit global = model.globalLimit();
    if (v <= 0 || global == null) {
      return "Value out of range.\n";
    }
    global.setMax(v);
    return "";
  }
}
