package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.TcpRelay;
import dev.fulcrum.testing.TestNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code pg_ro_host}, the node's configuration reads go to the replica and the Admin API to
 * the primary (Kong: "admin API bypasses readonly connection but proxy doesn't"). The "replica"
 * here is the same server behind a relay the test cuts.
 */
class PgReplicaTest {
  @Test
  void configurationReadsGoToTheReplicaAndTheAdminApiToThePrimary() {
    try (PgSchema schema = PgSchema.fresh();
        Backend one = Backend.start("one");
        TcpRelay replica = TcpRelay.to(PgSchema.host(), PgSchema.port())) {
      try (JdbcStore s = Stores.open(NodeSettings.load(null, Map.of(), schema.settings()), "bootstrap")) {
        s.migrateUp();
      }
      Map<String, String> settings = new HashMap<>(schema.settings());
      settings.put("pg_ro_host", "127.0.0.1");
      settings.put("pg_ro_port", Integer.toString(replica.port()));
      settings.put("pg_timeout", "1000");
      try (TestNode node = TestNode.start(settings)) {
        assertThat(node.admin().post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
        assertThat(node.admin().post("/services/s/routes", "paths[]=/s").status()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/s").statusCode() == 200);

        replica.cut();
        // The primary takes the write and the Admin API reads it back; the proxy, reading its
        // configuration from the replica, cannot see it yet (the answer waits for it, then gives up).
        assertThat(node.admin().post("/services/s/routes", "name=later", "paths[]=/later").status()).isEqualTo(201);
        assertThat(node.admin().get("/routes/later").status()).isEqualTo(200);
        assertThat(Http.get(node.proxyUrl() + "/later").statusCode()).isEqualTo(404);
        assertThat(Http.get(node.proxyUrl() + "/s").statusCode()).isEqualTo(200);

        replica.restore();
        await().atMost(Duration.ofSeconds(15)).until(() -> Http.get(node.proxyUrl() + "/later").statusCode() == 200);
      }
    }
  }
}
