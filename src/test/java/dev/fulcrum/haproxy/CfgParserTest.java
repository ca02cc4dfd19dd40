package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fulcrum.haproxy.HaproxyConfig.Proxy;
import dev.fulcrum.model.Algorithm;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CfgParserTest {
  @TempDir Path dir;

  static Path seed() {
    try {
      return Path.of(CfgParserTest.class.getResource("/haproxy/seed.cfg").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static final Map<String, String> PORTS =
      Map.of("STATS_PORT", "18080", "FRONT_PORT", "18000", "NGINX1_PORT", "18001", "NGINX2_PORT", "18002");

  private HaproxyConfig parse(String text) throws IOException {
    Path f = dir.resolve("haproxy.cfg");
    Files.writeString(f, text);
    return HaproxyConfig.parse(f, Map.of());
  }

  private String where(int line) {
    return dir.resolve("haproxy.cfg") + ":" + line;
  }

  @Test
  void theSeedFileParsesWithWarningsOnly() {
    HaproxyConfig c = HaproxyConfig.parse(seed(), PORTS);
    assertThat(c.global().statsSockets()).hasSize(1);
    HaproxyConfig.StatsSocket s = c.global().statsSockets().get(0);
    assertThat(s.host()).isEqualTo("localhost");
    assertThat(s.port()).isEqualTo(18080);
    assertThat(s.level()).isEqualTo("admin");
    assertThat(c.global().statsTimeoutMillis).isEqualTo(30_000);

    assertThat(c.proxies()).extracting(Proxy::name).containsExactly("main", "nginx");
    Proxy main = c.proxy("main");
    assertThat(main.id()).as("the CLI proxy takes id 0, so proxies start at 2").isEqualTo(2);
    assertThat(main.mode).isEqualTo("tcp");
    assertThat(main.binds()).singleElement().satisfies(b -> {
      assertThat(b.host()).isEqualTo("0.0.0.0");
      assertThat(b.port()).isEqualTo(18000);
    });
    assertThat(main.defaultBackend).isEqualTo("nginx");

    Proxy nginx = c.proxy("nginx");
    assertThat(nginx.id()).isEqualTo(3);
    assertThat(nginx.timeoutConnect).isEqualTo(5000);
    assertThat(nginx.redispatch).isTrue();
    assertThat(nginx.retries).isEqualTo(3);
    assertThat(nginx.retryOn)
        .contains("conn-failure", "empty-response", "junk-response", "response-timeout", "500", "502", "503", "504")
        .doesNotContain("404", "401");
    assertThat(nginx.balance.algorithm()).isEqualTo(Algorithm.ROUNDROBIN);
    assertThat(nginx.servers()).extracting(Server::name).containsExactly("nginx-1", "nginx-2");
    Server n1 = nginx.servers().get(0);
    assertThat(n1.id()).isEqualTo(1);
    assertThat(n1.port()).isEqualTo(18001);
    assertThat(n1.check()).isTrue();
    assertThat(n1.inter).isEqualTo(2000);
    assertThat(n1.rise()).isEqualTo(2);
    assertThat(n1.fall()).isEqualTo(3);
    assertThat(n1.weight()).isEqualTo(1);

    String file = seed().toString();
    assertThat(c.warnings())
        .anyMatch(w -> w.startsWith(file + ":5: 'log' has no meaning"))
        .noneMatch(w -> w.startsWith(file + ":6:"))
        .anyMatch(w -> w.startsWith(file + ":7: 'chroot'"))
        .anyMatch(w -> w.startsWith(file + ":11: 'user'"))
        .anyMatch(w -> w.startsWith(file + ":12: 'group'"))
        .anyMatch(w -> w.startsWith(file + ":13: 'daemon'"))
        .anyMatch(w -> w.startsWith(file + ":18: 'option tcplog'"))
        .anyMatch(w -> w.startsWith(file + ":19: 'option dontlognull'"))
        .anyMatch(w -> w.contains("missing timeouts for frontend 'main' (client)"))
        .anyMatch(w -> w.contains("missing timeouts for backend 'nginx' (server)"));
  }

  @Test
  void defaultsAreInheritedFromTheLastDefaultsSection() throws IOException {
    HaproxyConfig c =
        parse(
            "defaults\n  mode http\n  timeout connect 1s\n  timeout client 2m\n  timeout server 30s\n  retries 5\n"
                + "  default-server inter 500ms fall 2\n"
                + "backend a\n  server s1 127.0.0.1:1 check\n"
                + "defaults\n  mode tcp\n"
                + "backend b\n  server s1 127.0.0.1:2\n");
    Proxy a = c.proxy("a");
    assertThat(a.http()).isTrue();
    assertThat(a.timeoutConnect).isEqualTo(1000);
    assertThat(a.timeoutClient).isEqualTo(120_000);
    assertThat(a.retries).isEqualTo(5);
    assertThat(a.servers().get(0).inter).isEqualTo(500);
    assertThat(a.servers().get(0).fall()).isEqualTo(2);
    assertThat(a.id()).as("no stats socket: ids start at 1").isEqualTo(1);
    // The second defaults section starts from the first one (HAProxy keeps unnamed defaults cumulative).
    Proxy b = c.proxy("b");
    assertThat(b.http()).isFalse();
    assertThat(b.timeoutConnect).isEqualTo(1000);
  }

  @Test
  void timesTakeHaproxyUnits() throws IOException {
    HaproxyConfig c =
        parse("backend b\n  timeout connect 1500\n  timeout server 2s\n  timeout queue 1m\n  timeout tunnel 1h\n"
            + "  timeout check 100us\n  server s 127.0.0.1:1 inter 1d\n");
    Proxy b = c.proxy("b");
    assertThat(b.timeoutConnect).isEqualTo(1500);
    assertThat(b.timeoutServer).isEqualTo(2000);
    assertThat(b.timeoutQueue).isEqualTo(60_000);
    assertThat(b.timeoutTunnel).isEqualTo(3_600_000);
    assertThat(b.timeoutCheck).isEqualTo(1);
    assertThat(b.servers().get(0).inter).isEqualTo(86_400_000);
  }

  @Test
  void serverParameters() throws IOException {
    HaproxyConfig c =
        parse("backend b\n  option httpchk GET /health HTTP/1.1\n  http-check expect status 200-299,304\n"
            + "  server s1 127.0.0.1:81 check inter 1s fastinter 200 downinter 5s rise 3 fall 1 port 9000 addr 127.0.0.2"
            + " weight 7 backup maxconn 10 maxqueue 5 slowstart 10s disabled send-proxy-v2 on-marked-down shutdown-sessions id 9\n"
            + "  server s2 127.0.0.1:82\n");
    Proxy b = c.proxy("b");
    assertThat(b.httpCheck).isTrue();
    assertThat(b.checkMethod).isEqualTo("GET");
    assertThat(b.checkUri).isEqualTo("/health");
    assertThat(b.checkVersion).isEqualTo("HTTP/1.1");
    assertThat(b.expectStatus).hasSize(2);
    Server s1 = b.servers().get(0);
    assertThat(s1.inter).isEqualTo(1000);
    assertThat(s1.fastinter).isEqualTo(200);
    assertThat(s1.downinter).isEqualTo(5000);
    assertThat(s1.rise()).isEqualTo(3);
    assertThat(s1.fall()).isEqualTo(1);
    assertThat(s1.checkPort).isEqualTo(9000);
    assertThat(s1.checkAddr).isEqualTo("127.0.0.2");
    assertThat(s1.weight()).isEqualTo(7);
    assertThat(s1.backup).isTrue();
    assertThat(s1.maxconn).isEqualTo(10);
    assertThat(s1.maxqueue).isEqualTo(5);
    assertThat(s1.slowstartMillis).isEqualTo(10_000);
    assertThat(s1.disabled).isTrue();
    assertThat(s1.sendProxy).isEqualTo(2);
    assertThat(s1.shutdownSessionsOnDown).isTrue();
    assertThat(s1.id()).isEqualTo(9);
    assertThat(b.servers().get(1).id()).as("ids fill from 1 around forced ones").isEqualTo(1);
  }

  @Test
  void useBackendRulesAndAcls() throws IOException {
    HaproxyConfig c =
        parse("frontend f\n  mode http\n  bind 127.0.0.1:8080,127.0.0.1:8090-8091\n"
            + "  acl is_api path_beg /api\n  acl host_a hdr(host) -i a.example\n"
            + "  use_backend api if is_api host_a or { path /x }\n  use_backend other unless !host_a\n"
            + "  default_backend web\n"
            + "backend api\n  mode http\nbackend other\n  mode http\nbackend web\n  mode http\n");
    Proxy f = c.proxy("f");
    assertThat(f.binds()).extracting(HaproxyConfig.Bind::port).containsExactly(8080, 8090, 8091);
    assertThat(f.useBackends).hasSize(2);
    HaproxyConfig.Condition first = f.useBackends.get(0).condition();
    assertThat(first.unless()).isFalse();
    assertThat(first.orGroups()).hasSize(2);
    assertThat(first.orGroups().get(0)).extracting(HaproxyConfig.CondTerm::aclName).containsExactly("is_api", "host_a");
    assertThat(first.orGroups().get(1).get(0).anonymous().fetch()).isEqualTo("path");
    HaproxyConfig.Condition second = f.useBackends.get(1).condition();
    assertThat(second.unless()).isTrue();
    assertThat(second.orGroups().get(0).get(0).negated()).isTrue();
    assertThat(f.acls.get("host_a").get(0).ignoreCase()).isTrue();
    assertThat(f.acls.get("host_a").get(0).arg()).isEqualTo("host");
  }

  @Test
  void unimplementedKeywordsAreWarningsWithFileAndLine() throws IOException {
    HaproxyConfig c =
        parse("global\n  nbproc 2\n  tune.bufsize 32768\n"
            + "frontend f\n  bind :80\n  timeout client 1s\n  http-request tarpit\n  default_backend b\n"
            + "backend b\n  timeout connect 1s\n  timeout server 1s\n  cookie SRV insert\n  server s 127.0.0.1:1 agent-check\n"
            + "  option splice-auto\n"
            + "peers p\n  peer a 127.0.0.1:1\n");
    assertThat(c.warnings())
        .contains(where(2) + ": 'nbproc' has no meaning for Fulcrum (one JVM process); ignored")
        .contains(where(3) + ": 'tune.bufsize' is not implemented by Fulcrum; ignored")
        .contains(where(7) + ": 'http-request tarpit' is not implemented by Fulcrum; ignored")
        .contains(where(12) + ": keyword 'cookie' is not implemented by Fulcrum; ignored")
        .contains(where(13) + ": server option 'agent-check' is not implemented by Fulcrum; ignored")
        .anyMatch(w -> w.startsWith(where(14) + ": 'option splice-auto' is not implemented by Fulcrum"))
        .contains(where(15) + ": section 'peers' is not supported by Fulcrum; ignored");
  }

  @Test
  void tcpFrontendRulesThatNeedHttpAreFlagged() throws IOException {
    HaproxyConfig c =
        parse("frontend f\n  bind :80\n  acl a path_beg /x\n  use_backend b if a\n  use_backend b if { src 10.0.0.0/8 }\n"
            + "backend b\n  server s 127.0.0.1:1\n");
    assertThat(c.warnings()).contains(where(4) + ": this 'use_backend' rule will never match in a tcp frontend: its condition needs HTTP ('mode http')");
    assertThat(c.warnings()).noneMatch(w -> w.startsWith(where(5)));
  }

  @Test
  void environmentVariablesExpandOutsideSingleQuotes() {
    assertThat(CfgReader.words("f", 1, "bind \"${HOST}:$PORT\" '${HOST}' a$ ${NOPE}x", Map.of("HOST", "h", "PORT", "80")))
        .containsExactly("bind", "h:80", "${HOST}", "a$", "x");
  }

  @Test
  void syntaxErrorsNameFileLineAndReason() throws IOException {
    List<String[]> cases =
        List.of(
            new String[] {"backend b\n  server s 127.0.0.1:1 chek\n", where(2) + ": unknown keyword 'chek' on server line"},
            new String[] {"backend b\n  balance fastest\n", where(2) + ": unknown load balancing algorithm 'fastest'"},
            new String[] {"backend b\n  mode udp\n", where(2) + ": unknown proxy mode 'udp'"},
            new String[] {"frontend f\n  bind :80\n  default_backend nope\n", where(3) + ": unable to find required backend 'nope'"},
            new String[] {"backend b\n  server s 127.0.0.1\n", where(2) + ": server 's' needs an explicit port"},
            new String[] {"backend b\n  server s 127.0.0.1:1 weight 300\n", where(2) + ": weight of server 's' is 300 (expected: 0..256)"},
            new String[] {"backend b\n  timeout connect 5x\n", where(2) + ": invalid time unit in '5x'"},
            new String[] {"backend b\n  retry-on sometimes\n", where(2) + ": unknown retry-on keyword 'sometimes'"},
            new String[] {"frontend f\n  bind :80\n  use_backend b if nope\nbackend b\n", where(3) + ": no such ACL : 'nope'"},
            new String[] {"mode tcp\n", where(1) + ": unknown keyword 'mode' out of section"},
            new String[] {"backend b\n  option httpchk \"GET\n", where(2) + ": unmatched quote"},
            new String[] {"backend b\nbackend b\n", where(2) + ": a proxy named 'b' already exists"},
            new String[] {"frontend f\n  default_backend b\nbackend b\n", where(1) + ": frontend 'f' has no 'bind' directive"},
            new String[] {"frontend f\n  bind :80\n  mode http\n  default_backend b\nbackend b\n  mode tcp\n",
                where(4) + ": unable to use tcp backend 'b' in http frontend 'f'"},
            new String[] {"global\n  stats socket ipv4@127.0.0.1:1 level root\n", where(2) + ": 'level' only supports"},
            new String[] {"global\n  stats socket ipv4@127.0.0.1:x\n", where(2) + ": invalid port 'x'"},
            new String[] {"backend b\n  timeout server 99999999999999999999s\n", where(2) + ": timer overflow in '99999999999999999999s'"},
            new String[] {"backend b\n  timeout server 25d\n", where(2) + ": timer overflow in '25d'"},
            new String[] {"backend b\n  balance random(0)\n", where(2) + ": random : number of draws must be at least 1"},
            new String[] {"backend b\n  balance random(2\n", where(2) + ": random : missing closing parenthesis"},
            new String[] {"backend b\n  balance uri len x\n", where(2) + ": 'balance' expects a positive integer, got 'x'"},
            new String[] {"backend b\n  balance uri depth\n", where(2) + ": 'balance uri depth' expects an argument"},
            new String[] {"backend b\n  balance uri deep\n", where(2) + ": uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'deep')"},
            new String[] {"backend b\n  balance url_param\n", where(2) + ": 'balance url_param' requires an URL parameter name"},
            new String[] {"backend b\n  balance url_param id post\n", where(2) + ": url_param only accepts 'check_post' modifier (got 'post')"},
            new String[] {"backend b\n  balance hdr(host) domain\n", where(2) + ": hdr only accepts 'use_domain_only' modifier (got 'domain')"});
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(CfgException.class).hasMessageStartingWith(c[1]);
    }
  }
}
