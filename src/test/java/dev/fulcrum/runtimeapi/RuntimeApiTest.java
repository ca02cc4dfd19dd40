package dev.fulcrum.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stats socket against a running node: framing, levels, replies and error texts. */
class RuntimeApiTest {
  @TempDir static Path dir;
  static Backend one;
  static Backend two;
  static Node node;
  static SocketAddress admin;

  @BeforeAll
  static void start() throws Exception {
    one = Backend.start("one");
    two = Backend.start("two");
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, String.join("\n",
        "global",
        "  stats socket ipv4@127.0.0.1:0 level admin",
        "  stats socket " + dir.resolve("user.sock") + " level user",
        "  stats socket " + dir.resolve("operator.sock"),
        "defaults",
        "  mode tcp",
        "  timeout connect 1s",
        "  timeout client 5s",
        "  timeout server 5s",
        "frontend fe",
        "  bind 127.0.0.1:0",
        "  default_backend be",
        "backend be",
        "  balance roundrobin",
        "  server s1 127.0.0.1:" + one.port() + " check inter 100 rise 2 fall 3",
        "  server s2 127.0.0.1:" + two.port() + " weight 3",
        "  server s3 127.0.0.1:" + one.port() + " disabled",
        "  server b1 127.0.0.1:" + two.port() + " backup",
        "backend st",
        "  balance static-rr",
        "  server a 127.0.0.1:" + one.port() + " weight 2",
        "backend empty",
        ""));
    node = Node.start(NodeSettings.load(null, Map.of(), Map.of("prefix", dir.resolve("prefix").toString())), cfg, Map.of());
    admin = node.haproxy().statsAddresses().get(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> "UP".equals(Cli.statuses(send("show stat")).get("be/s1")));
  }

  @AfterAll
  static void stop() {
    node.close();
    one.close();
    two.close();
  }

  static String send(String line) {
    return Cli.send(admin, line);
  }

  @Test
  void showStatIsHaproxys26Csv() {
    String out = send("show stat");
    String[] lines = out.split("\n", -1);
    assertThat(lines[0]).isEqualTo(
        "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,"
            + "weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,"
            + "rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,"
            + "hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,"
            + "lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,"
            + "agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,"
            + "conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,"
            + "srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
            + "used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,");
    assertThat(out).endsWith("\n\n");
    int columns = lines[0].split(",", -1).length;
    for (int i = 1; i < lines.length - 2; i++) {
      assertThat(lines[i]).endsWith(",");
      assertThat(lines[i].split(",", -1).length).as(lines[i]).isEqualTo(columns);
    }
    assertThat(lines[1]).startsWith("fe,FRONTEND,,,");
    assertThat(row(out, "fe", "FRONTEND")[17]).isEqualTo("OPEN");
    assertThat(row(out, "fe", "FRONTEND")[27]).as("iid: the CLI takes 0, fe gets 2").isEqualTo("2");
    assertThat(row(out, "fe", "FRONTEND")[32]).isEqualTo("0");
    String[] s1 = row(out, "be", "s1");
    assertThat(s1[17]).isEqualTo("UP");
    assertThat(s1[27]).isEqualTo("3");
    assertThat(s1[28]).isEqualTo("1");
    assertThat(s1[32]).isEqualTo("2");
    assertThat(s1[36]).isEqualTo("L4OK");
    assertThat(s1[65]).isEqualTo("Layer4 check passed");
    assertThat(s1[67]).isEqualTo("2");
    assertThat(s1[68]).isEqualTo("3");
    assertThat(s1[69]).isEqualTo("4");
    assertThat(s1[73]).isEqualTo("127.0.0.1:" + one.port());
    assertThat(row(out, "be", "s2")[17]).isEqualTo("no check");
    assertThat(row(out, "be", "s2")[18]).isEqualTo("3");
    assertThat(row(out, "be", "s2")[21]).as("no chkfail without checks").isEmpty();
    assertThat(row(out, "be", "s3")[17]).isEqualTo("MAINT");
    assertThat(row(out, "be", "b1")[20]).isEqualTo("1");
    String[] be = row(out, "be", "BACKEND");
    assertThat(be[17]).isEqualTo("UP");
    assertThat(be[18]).as("weight of the active servers in use").isEqualTo("4");
    assertThat(be[19]).isEqualTo("2");
    assertThat(be[20]).isEqualTo("1");
    assertThat(be[32]).isEqualTo("1");
    assertThat(be[76]).isEqualTo("roundrobin");
    assertThat(row(out, "empty", "BACKEND")[17]).as("a backend without servers is UP").isEqualTo("UP");
  }

  private static String[] row(String csv, String proxy, String server) {
    for (String line : csv.split("\n")) {
      String[] cells = line.split(",", -1);
      if (cells[0].equals(proxy) && cells.length > 1 && cells[1].equals(server)) {
        return cells;
      }
    }
    throw new AssertionError("no row " + proxy + "/" + server + " in\n" + csv);
  }

  @Test
  void showStatFilters() {
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsOnlyKeys("be/s1", "be/s2", "be/s3", "be/b1");
    assertThat(Cli.statuses(send("show stat 3 2 -1"))).containsOnlyKeys("be/BACKEND");
    assertThat(Cli.statuses(send("show stat -1 1 -1"))).containsOnlyKeys("fe/FRONTEND");
    assertThat(Cli.statuses(send("show stat be 4 2"))).containsOnlyKeys("be/s2");
    assertThat(send("show stat st 1 -1").split("\n")).as("a type the proxy lacks: the header alone").hasSize(1);
    assertThat(send("show stat nope 4 -1")).isEqualTo("No such proxy.\n\n");
    assertThat(Cli.statuses(send("show stat up"))).doesNotContainKey("be/s3").containsEntry("be/BACKEND", "UP (3/4)");
  }

  @Test
  void levelsAreEnforced() {
    assertThat(Cli.sendUnix(dir.resolve("user.sock"), "disable server be/s2")).isEqualTo("Permission denied\n\n");
    assertThat(Cli.sendUnix(dir.resolve("user.sock"), "show cli level")).isEqualTo("user\n\n");
    assertThat(Cli.sendUnix(dir.resolve("operator.sock"), "show cli level")).as("operator by default").isEqualTo("operator\n\n");
    String[] userRow = Cli.sendUnix(dir.resolve("user.sock"), "show stat be 4 1").split("\n")[1].split(",", -1);
    assertThat(userRow[73]).as("addr hidden below operator").isEmpty();
    String[] opRow = Cli.sendUnix(dir.resolve("operator.sock"), "show stat be 4 1").split("\n")[1].split(",", -1);
    assertThat(opRow[73]).isEqualTo("127.0.0.1:" + one.port());
    assertThat(Cli.sendUnix(dir.resolve("operator.sock"), "user;show cli level;operator"))
        .isEqualTo("\nuser\n\nPermission denied\n\n");
  }

  @Test
  void severalCommandsOnOneLine() {
    assertThat(send("get weight be/s2;show cli level")).isEqualTo("3 (initial 3)\n\nadmin\n\n");
  }

  @Test
  void promptModeKeepsTheConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", ((java.net.InetSocketAddress) admin).getPort())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write("prompt\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntilPrompt(in)).isEqualTo("\n> ");
      out.write("set timeout cli 60\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntilPrompt(in)).isEqualTo("\n> ");
      out.write("show backend\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntilPrompt(in)).isEqualTo("# name\nbe\nst\nempty\n\n> ");
      out.write("quit\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  private static String readUntilPrompt(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("> ")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Test
  void helpAndUnknownCommands() {
    String help = send("help");
    assertThat(help).startsWith("The following commands are valid at this level:\n");
    assertThat(help).contains("  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server\n");
    assertThat(help).endsWith("  quit                                    : disconnect\n\n");
    assertThat(send("frobnicate")).startsWith("Unknown command. Please enter one of the following commands only:\n");
    assertThat(send("show frobs")).startsWith("Unknown command, but maybe one of the following ones is a better match:\n")
        .contains("  show info").doesNotContain("  set weight");
    assertThat(send("set timeout cli x")).isEqualTo("Invalid timeout value.\n\n");
    assertThat(send("set timeout cli")).isEqualTo("Expects an integer value.\n\n");
  }

  @Test
  void showInfoHasWhatHatopAndTheExporterRead() {
    String info = send("show info");
    for (String key : Arrays.asList("Name", "Version", "Release_date", "Nbproc", "Process_num", "Pid", "Uptime",
        "Maxconn", "CurrConns", "Maxpipes", "PipesUsed", "Tasks", "Run_queue")) {
      assertThat(info).containsPattern("(?m)^" + key + ": \\S+");
    }
    assertThat(info).containsPattern("(?m)^node: \\S+$");
    assertThat(info).containsPattern("(?m)^Uptime: \\d+d \\d+h\\d\\dm\\d\\ds$");
    assertThat(info).contains("Nbproc: 1\nProcess_num: 1\n");
    assertThat(info).endsWith("Tainted: 0\n\n");
  }

  @Test
  void weightCommands() {
    assertThat(send("get weight be/s2")).isEqualTo("3 (initial 3)\n\n");
    assertThat(send("set weight be/s2 10")).isEqualTo("\n");
    assertThat(send("get weight be/s2")).isEqualTo("10 (initial 3)\n\n");
    assertThat(send("set server be/s2 weight 50%")).isEqualTo("\n");
    assertThat(send("get weight be/s2")).isEqualTo("1 (initial 3)\n\n");
    assertThat(send("set weight be/s2 100%")).isEqualTo("\n");
    assertThat(send("get weight be/s2")).isEqualTo("3 (initial 3)\n\n");
    assertThat(send("set weight be/s2 257")).isEqualTo("Absolute weight can only be between 0 and 256 inclusive.\n\n");
    assertThat(send("set weight be/s2 -5%")).isEqualTo("Relative weight must be positive.\n\n");
    assertThat(send("set weight be/s2")).isEqualTo("Require <weight> or <weight%>.\n\n");
    assertThat(send("set weight be/s2 3x")).isEqualTo("Trailing garbage in weight string\n");
    assertThat(send("set weight st/a 1"))
        .isEqualTo("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n\n");
    assertThat(send("set weight st/a 0%")).isEqualTo("\n");
    assertThat(send("get weight st/a")).isEqualTo("0 (initial 2)\n\n");
    assertThat(send("set weight st/a 100%")).isEqualTo("\n");
    assertThat(send("get weight be")).isEqualTo("Require 'backend/server'.\n\n");
    assertThat(send("get weight nope/s1")).isEqualTo("No such backend.\n\n");
    assertThat(send("get weight be/nope")).isEqualTo("No such server.\n\n");
    assertThat(send("get weight #3/#2")).isEqualTo("3 (initial 3)\n\n");
  }

  @Test
  void serverStates() {
    assertThat(send("set server be/s2 state drain")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s2", "DRAIN");
    assertThat(send("set server be/s2 state maint")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s2", "MAINT");
    assertThat(send("set server be/s2 state ready")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s2", "no check");
    assertThat(send("set server be/s2 state sleepy"))
        .isEqualTo("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n");
    assertThat(send("set server be/s2 health stopping")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s2", "NOLB");
    assertThat(send("set server be/s2 health down")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s2", "DOWN");
    assertThat(send("set server be/s2 health up")).isEqualTo("\n");
    assertThat(send("set server be/s2 health sick"))
        .isEqualTo("'set server <srv> health' expects 'up', 'stopping', or 'down'.\n\n");
    assertThat(send("set server be/s2 color blue")).startsWith("usage: set server <backend>/<server> addr | agent");
    assertThat(send("enable server be/s3")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s3", "no check");
    assertThat(send("disable server be/s3")).isEqualTo("\n");
    assertThat(Cli.statuses(send("show stat be 4 -1"))).containsEntry("be/s3", "MAINT");
  }

  @Test
  void showServersState() {
    String out = send("show servers state be");
    String[] lines = out.split("\n");
    assertThat(lines[0]).isEqualTo("1");
    assertThat(lines[1]).isEqualTo(ServersState.HEADER);
    assertThat(lines[1].split(" ")).hasSize(26);
    assertThat(lines[2]).startsWith("3 be 1 s1 127.0.0.1 2 0 1 1 ");
    assertThat(lines[2].split(" ")).hasSize(25);
    assertThat(lines[2].split(" ")[10]).as("L4OK").isEqualTo("6");
    assertThat(lines[2].split(" ")[18]).isEqualTo(Integer.toString(one.port()));
    assertThat(lines[4]).as("configured 'disabled': forced and config maintenance").startsWith("3 be 3 s3 127.0.0.1 0 5 ");
    assertThat(send("show servers state nope")).isEqualTo("Can't find backend.\n\n");
  }
}
