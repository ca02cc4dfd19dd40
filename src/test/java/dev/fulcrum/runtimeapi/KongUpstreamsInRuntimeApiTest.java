package dev.fulcrum.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.SocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Upstreams made with the Kong Admin API show up, and can be operated, on the stats socket. */
class KongUpstreamsInRuntimeApiTest {
  @Test
  void kongUpstreamsAreProxiesAndTargetsAreServers() throws Exception {
    try (Backend a = Backend.start("a"); Backend b = Backend.start("b");
        TestNode node = TestNode.startWithHaproxy(
            "global", "  stats socket ipv4@127.0.0.1:0 level admin",
            "backend cfg", "  server s 127.0.0.1:" + a.port())) {
      AdminClient admin = node.admin();
      admin.post("/upstreams", "name=shop");
      admin.post("/upstreams/shop/targets", "target=" + a.target());
      admin.post("/upstreams/shop/targets", "target=" + b.target());
      admin.post("/services", "name=shop", "host=shop");
      admin.post("/services/shop/routes", "paths[]=/shop");
      SocketAddress stats = node.node().haproxy().statsAddresses().get(0);

      await().atMost(Duration.ofSeconds(5)).until(() -> Cli.send(stats, "show backend").contains("shop"));
      assertThat(Cli.send(stats, "show backend")).isEqualTo("# name\ncfg\nshop\n\n");
      String csv = Cli.send(stats, "show stat shop -1 -1");
      assertThat(Cli.statuses(csv)).containsEntry("shop/" + a.target(), "no check")
          .containsEntry("shop/" + b.target(), "no check").containsEntry("shop/BACKEND", "UP");
      String[] row = csv.split("\n")[1].split(",", -1);
      assertThat(row[27]).as("numbered after the configuration's proxies").isEqualTo("3");

      // Maintenance from the stats socket takes a Kong target out of rotation.
      assertThat(Cli.send(stats, "disable server shop/" + b.target())).isEqualTo("\n");
      for (int i = 0; i < 4; i++) {
        assertThat(Http.get(node.proxyUrl() + "/shop").headers().firstValue("X-Backend")).contains("a");
      }
      assertThat(Cli.statuses(Cli.send(stats, "show stat shop 4 -1"))).containsEntry("shop/" + b.target(), "MAINT");
      assertThat(Cli.send(stats, "enable server shop/" + b.target())).isEqualTo("\n");
    }
  }
}
