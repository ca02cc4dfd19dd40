package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Limits that keep a node answering under load: the connection cap and the Admin API's body size. */
class OverloadTest {
  @RegisterExtension final Closer closer = new Closer();

  private static final String GET = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";

  @Test
  void atTheConnectionCapNewClientsWaitInTheBacklogUntilOneLeaves() {
    Backend backend = closer.add(Backend.start("b"));
    TestNode node = closer.add(TestNode.start(Map.of("nginx_events_worker_connections", "2")));
    AdminClient admin = node.admin();
    admin.post("/services", "name=s", "url=http://" + backend.target());
    admin.post("/services/s/routes", "paths[]=/");
    int port = node.proxyPort();

    RawHttp first = closer.add(new RawHttp(port));
    RawHttp second = closer.add(new RawHttp(port));
    assertThat(RawHttp.status(first.send(GET).readResponse())).isEqualTo(200);
    assertThat(RawHttp.status(second.send(GET).readResponse())).isEqualTo(200);

    // The third connection completes in the kernel's backlog but is not served while two are open.
    RawHttp third = closer.add(new RawHttp(port));
    assertThat(third.send(GET).readAll(700)).isEmpty();
    // The Admin API is not behind the cap.
    assertThat(admin.get("/status").status()).isEqualTo(200);

    first.close();
    assertThat(RawHttp.status(third.readResponse())).isEqualTo(200);
  }

  @Test
  void theAdminApiAnswers413ToABodyOverItsLimit() {
    TestNode node = closer.add(TestNode.start(Map.of("nginx_admin_client_max_body_size", "1k")));
    AdminClient admin = node.admin();
    AdminClient.Reply big = admin.post("/services", "name=s", "url=http://127.0.0.1:9", "tags[]=" + "x".repeat(2000));
    assertThat(big.status()).isEqualTo(413);
    assertThat(admin.get("/services/s").status()).isEqualTo(404);
    assertThat(admin.post("/services", "name=s", "url=http://127.0.0.1:9").status()).isEqualTo(201);
  }
}
