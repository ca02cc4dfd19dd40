package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.RawHttp;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The seed's configuration in-process: TCP frontend, round robin, checks, the stats socket. */
class HaproxyModeTest {
  @TempDir Path dir;
  @RegisterExtension final Closer open = new Closer();

  private Node start(Map<String, String> env) throws Exception {
    Path cfg = dir.resolve("haproxy.cfg");
    Files.copy(CfgParserTest.seed(), cfg);
    Map<String, String> o = new HashMap<>();
    o.put("prefix", dir.resolve("prefix").toString());
    NodeSettings settings = NodeSettings.load(null, Map.of(), o);
    Node node = Node.start(settings, cfg, env);
    open.add(node);
    return node;
  }

  @Test
  void theSeedChapterInProcess() throws Exception {
    Backend one = Backend.start("nginx-1");
    open.add(one);
    Backend two = Backend.start("nginx-2");
    open.add(two);
    Node node =
        start(Map.of("STATS_PORT", "0", "FRONT_PORT", "0", "NGINX1_PORT", Integer.toString(one.port()),
            "NGINX2_PORT", Integer.toString(two.port())));
    HaproxyRuntime rt = node.haproxy();
    SocketAddress stats = rt.statsAddresses().get(0);
    InetSocketAddress front = rt.addresses("main").get(0);

    await().atMost(Duration.ofSeconds(10)).until(() ->
        Cli.statuses(Cli.send(stats, "show stat nginx 4 -1")).values().stream().allMatch("UP"::equals));
    String csv = Cli.send(stats, "show stat nginx 4 -1");
    assertThat(csv.split("\n")).hasSize(3);
    assertThat(Cli.statuses(csv)).containsOnlyKeys("nginx/nginx-1", "nginx/nginx-2");

    List<String> servers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String r = RawHttp.exchange(front.getPort(), "GET /hostname HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(RawHttp.status(r)).isEqualTo(200);
      servers.add(RawHttp.header(r, "X-Backend"));
    }
    assertThat(servers).containsExactly("nginx-1", "nginx-2", "nginx-1", "nginx-2", "nginx-1", "nginx-2");

    int port1 = one.port();
    one.close();
    await().atMost(Duration.ofSeconds(15)).until(() ->
        "DOWN".equals(Cli.statuses(Cli.send(stats, "show stat nginx 4 -1")).get("nginx/nginx-1")));
    for (int i = 0; i < 4; i++) {
      String r = RawHttp.exchange(front.getPort(), "GET /hostname HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(RawHttp.status(r)).isEqualTo(200);
      assertThat(RawHttp.header(r, "X-Backend")).isEqualTo("nginx-2");
    }
    Backend again = Backend.start("nginx-1", port1);
    open.add(again);
    await().atMost(Duration.ofSeconds(15)).until(() ->
        "UP".equals(Cli.statuses(Cli.send(stats, "show stat nginx 4 -1")).get("nginx/nginx-1")));
  }
}
