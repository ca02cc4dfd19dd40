package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.TcpServer;
import dev.fulcrum.testing.RawHttp;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mode http} frontends on the L7 proxy: content switching, HAProxy's pages and retries. */
class HttpModeTest {
  @TempDir static Path dir;
  static Backend api;
  static Backend web;
  static Backend flaky;
  static Backend slow;
  static Backend sleepy;
  static TcpServer resetting;
  static DeadPort dead;
  static DeadPort gone;
  static Node node;
  static int port;

  @BeforeAll
  static void start() {
    api = Backend.start("api");
    web = Backend.start("web");
    flaky = Backend.start("flaky").failWith(503);
    slow = Backend.start("slow");
    sleepy = Backend.start("sleepy").delay(1000);
    resetting = TcpServer.resetting();
    dead = DeadPort.open();
    gone = DeadPort.open();
    node =
        HaproxyNodes.start(dir,
            "global", "  stats socket ipv4@127.0.0.1:0 level admin",
            "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s",
            "frontend fe",
            "  bind 127.0.0.1:0",
            "  stats uri /stats",
            "  acl is_api path_beg /api",
            "  acl host_web hdr(host) -i web.example",
            "  use_backend api if is_api",
            "  use_backend retrying if { path_beg /retry }",
            "  use_backend queued if { path_beg /delay }",
            "  use_backend nothing if { path /nothing }",
            "  use_backend deadfirst if { path_beg /dead }",
            "  use_backend impatient if { path_beg /impatient }",
            "  use_backend empty if { path_beg /empty }",
            "  use_backend lonely if { path_beg /lonely }",
            "  use_backend web if host_web",
            "frontend other",
            "  bind 127.0.0.1:0",
            "  timeout http-keep-alive 300ms",
            "  default_backend web",
            "backend api",
            "  option forwardfor",
            "  server a 127.0.0.1:" + api.port(),
            "backend web",
            "  server w 127.0.0.1:" + web.port(),
            "backend retrying",
            "  retries 3",
            "  option redispatch",
            "  retry-on 503",
            "  server bad 127.0.0.1:" + flaky.port(),
            "  server good 127.0.0.1:" + web.port(),
            "backend queued",
            "  timeout queue 5s",
            "  server s 127.0.0.1:" + slow.port() + " maxconn 1",
            "backend nothing",
            "  server down 127.0.0.1:" + web.port() + " disabled",
            "backend deadfirst",
            "  option redispatch",
            "  retries 2",
            "  server dead " + dead.target(),
            "  server live 127.0.0.1:" + web.port(),
            "backend empty",
            "  option redispatch",
            "  retry-on empty-response",
            "  server reset 127.0.0.1:" + resetting.port(),
            "  server fine 127.0.0.1:" + web.port(),
            "backend lonely",
            "  option redispatch",
            "  retries 2",
            "  server gone " + gone.target(),
            "backend impatient",
            "  timeout server 200ms",
            "  server s 127.0.0.1:" + sleepy.port());
    port = HaproxyNodes.frontend(node, "fe").getPort();
  }

  @AfterAll
  static void stop() {
    node.close();
    api.close();
    web.close();
    flaky.close();
    slow.close();
    sleepy.close();
    resetting.close();
    dead.close();
    gone.close();
  }

  private static String get(int port, String path, String host) {
    return RawHttp.exchange(port, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  private static JsonNode body(String response) {
    return Json.parseObject(response.substring(response.indexOf("\r\n\r\n") + 4));
  }

  @Test
  void useBackendRulesSwitchOnPathAndHost() {
    assertThat(RawHttp.header(get(port, "/api/users", "x.example"), "X-Backend")).isEqualTo("api");
    assertThat(RawHttp.header(get(port, "/page", "WEB.example"), "X-Backend")).isEqualTo("web");
  }

  @Test
  void noBackendIsHaproxys503Page() {
    String r = get(port, "/page", "other.example");
    assertThat(RawHttp.status(r)).isEqualTo(503);
    String body = r.substring(r.indexOf("\r\n\r\n") + 4);
    assertThat(body).isEqualTo(
        "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n");
    assertThat(body).hasSize(107);
    assertThat(RawHttp.header(r, "content-type")).isEqualTo("text/html");
    assertThat(RawHttp.header(r, "cache-control")).isEqualTo("no-cache");
    assertThat(RawHttp.status(get(port, "/nothing", "x"))).as("every server down").isEqualTo(503);
  }

  @Test
  void hostAndPathGoThroughUntouchedAndForwardforAddsTheClient() {
    JsonNode seen = body(get(port, "/api/x?y=1", "x.example:8080"));
    assertThat(seen.get("uri").asText()).isEqualTo("/api/x?y=1");
    assertThat(seen.get("headers").get("host").asText()).isEqualTo("x.example:8080");
    assertThat(seen.get("headers").get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
    assertThat(body(get(port, "/page", "web.example")).get("headers").has("x-forwarded-for"))
        .as("only with option forwardfor").isFalse();
    assertThat(body(get(port, "/page", "web.example")).get("headers").has("via")).isFalse();
    assertThat(seen.get("headers").has("connection"))
        .as("HAProxy adds no Connection header to an HTTP/1.1 keep-alive request").isFalse();
  }

  @Test
  void retryOnStatusRedispatchesToAGoodServer() {
    for (int i = 0; i < 6; i++) {
      String r = get(port, "/retry", "x");
      assertThat(RawHttp.status(r)).isEqualTo(200);
      assertThat(RawHttp.header(r, "X-Backend")).isEqualTo("web");
    }
  }

  @Test
  void aRefusedConnectionIsRedispatched() {
    for (int i = 0; i < 4; i++) {
      String r = get(port, "/dead", "x");
      assertThat(RawHttp.status(r)).isEqualTo(200);
      assertThat(RawHttp.header(r, "X-Backend")).isEqualTo("web");
    }
  }

  @Test
  void aRedispatchCountsOnlyWhenItLandsOnAnotherServer() {
    assertThat(RawHttp.status(get(port, "/lonely", "x"))).isEqualTo(503);
    String[] srv = row(Cli.send(HaproxyNodes.stats(node), "show stat lonely 4 -1"), "gone");
    assertThat(srv[15]).as("wretr: the first retry stays on the server").isEqualTo("1");
    assertThat(srv[16]).as("wredis: the last retry redispatches, but to the same server").isEqualTo("0");
  }

  @Test
  void everyTryCountsAConnectOrAReuse() {
    SocketAddress stats = HaproxyNodes.stats(node);
    int other = HaproxyNodes.frontend(node, "other").getPort();
    String[] before = row(Cli.send(stats, "show stat web 4 -1"), "w");
    for (int i = 0; i < 6; i++) {
      assertThat(RawHttp.status(get(other, "/page", "x"))).isEqualTo(200);
    }
    String[] after = row(Cli.send(stats, "show stat web 4 -1"), "w");
    long connects = Long.parseLong(after[84]) - Long.parseLong(before[84]);
    long reuses = Long.parseLong(after[85]) - Long.parseLong(before[85]);
    assertThat(connects + reuses).isEqualTo(6);
    assertThat(reuses).as("idle upstream connections are pooled").isGreaterThan(0);
  }

  @Test
  void anEmptyResponseIsRetriedElsewhere() {
    for (int i = 0; i < 4; i++) {
      assertThat(RawHttp.status(get(port, "/empty", "x"))).isEqualTo(200);
    }
    assertThat(resetting.accepted()).isGreaterThan(0);
  }

  @Test
  void aSlowServerGetsHaproxys504() {
    String r = get(port, "/impatient", "x");
    assertThat(RawHttp.status(r)).isEqualTo(504);
    assertThat(r).endsWith("<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n");
  }

  @Test
  void aServerAtMaxconnQueuesRequests() throws Exception {
    List<CompletableFuture<String>> all = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      all.add(CompletableFuture.supplyAsync(() -> get(port, "/delay/200", "x")));
    }
    for (CompletableFuture<String> f : all) {
      assertThat(RawHttp.status(f.get(10, TimeUnit.SECONDS))).isEqualTo(200);
    }
    SocketAddress stats = HaproxyNodes.stats(node);
    String[] be = row(Cli.send(stats, "show stat queued 2 -1"), "BACKEND");
    assertThat(Integer.parseInt(be[3])).as("qmax").isGreaterThanOrEqualTo(1);
    String[] s = row(Cli.send(stats, "show stat queued 4 -1"), "s");
    assertThat(s[5]).as("smax never above maxconn").isEqualTo("1");
    assertThat(Long.parseLong(be[90])).as("qtime_max: the last waited for two others").isGreaterThanOrEqualTo(200);
    assertThat(Long.parseLong(be[58])).as("qtime").isGreaterThan(0);
  }

  @Test
  void statsPageServesCsvAndHtml() {
    String csv = get(port, "/stats;csv", "x");
    assertThat(RawHttp.status(csv)).isEqualTo(200);
    assertThat(RawHttp.header(csv, "content-type")).isEqualTo("text/plain");
    String body = csv.substring(csv.indexOf("\r\n\r\n") + 4);
    assertThat(body).startsWith("# pxname,svname,qcur,");
    assertThat(body).contains("\nfe,FRONTEND,").contains("\napi,a,");
    String html = get(port, "/stats", "x");
    assertThat(RawHttp.header(html, "content-type")).isEqualTo("text/html");
    assertThat(html).contains("<h2>api</h2>");
  }

  @Test
  void countersCountRequestsAndStatuses() {
    SocketAddress stats = HaproxyNodes.stats(node);
    long before = Long.parseLong(row(Cli.send(stats, "show stat web 2 -1"), "BACKEND")[40]);
    get(port, "/page", "web.example");
    String[] be = row(Cli.send(stats, "show stat web 2 -1"), "BACKEND");
    assertThat(Long.parseLong(be[40])).as("hrsp_2xx").isEqualTo(before + 1);
    String[] fe = row(Cli.send(stats, "show stat fe 1 -1"), "FRONTEND");
    assertThat(Long.parseLong(fe[48])).as("req_tot").isGreaterThan(0);
    assertThat(fe[75]).isEqualTo("http");
  }

  @Test
  void malformedRequestsGetHaproxys400() {
    String r = RawHttp.exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
    assertThat(RawHttp.status(r)).isEqualTo(400);
    assertThat(r).contains("<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n");
  }

  @Test
  void idleKeepAliveConnectionsCloseAfterTimeoutHttpKeepAlive() {
    int other = HaproxyNodes.frontend(node, "other").getPort();
    try (RawHttp c = new RawHttp(other)) {
      assertThat(RawHttp.status(c.send("GET /page HTTP/1.1\r\nHost: x\r\n\r\n").readResponse())).isEqualTo(200);
      long start = System.nanoTime();
      assertThat(c.closedByServer()).isTrue();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1900);
    }
  }

  private static String[] row(String csv, String svname) {
    for (String line : csv.split("\n")) {
      String[] c = line.split(",", -1);
      if (c.length > 1 && c[1].equals(svname)) {
        return c;
      }
    }
    throw new AssertionError(svname + " not in " + csv);
  }
}
