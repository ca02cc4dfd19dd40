package dev.fulcrum.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.cli.Main;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes as separate processes on one PostgreSQL schema, as a user runs them. */
class ClusterProcessesTest {
  private static final Duration SOON = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final PgSchema schema = PgSchema.fresh();
  private final List<Process> processes = new ArrayList<>();
  private final List<Backend> backends = new ArrayList<>();

  @AfterEach
  void stop() {
    processes.forEach(Processes::kill);
    backends.forEach(Backend::close);
    schema.close();
  }

  private record Node(String proxy, AdminClient admin) {
    int status(String path) {
      return Http.get(proxy + path).statusCode();
    }

    String servedBy(String path) {
      var r = Http.get(proxy + path);
      return r.statusCode() == 200 ? Http.json(r).path("server").asText() : "status " + r.statusCode();
    }
  }

  private Node start(String name) {
    Map<String, String> env = new HashMap<>();
    schema.settings().forEach((k, v) -> env.put("FULCRUM_" + k.toUpperCase(Locale.ROOT), v));
    env.put("FULCRUM_PREFIX", dir.resolve(name).toString());
    env.put("FULCRUM_PROXY_LISTEN", "127.0.0.1:0");
    env.put("FULCRUM_ADMIN_LISTEN", "127.0.0.1:0");
    env.put("FULCRUM_DB_UPDATE_FREQUENCY", "30");
    env.put("FULCRUM_LOG_LEVEL", "info");
    Path log = dir.resolve(name + ".log");
    Process p = Processes.java(Main.class.getName(), env, log, "start");
    processes.add(p);
    Processes.NodeListeners l = Processes.awaitStarted(p, log);
    return new Node("http://127.0.0.1:" + l.proxyPort(), new AdminClient("http://127.0.0.1:" + l.adminPort()));
  }

  @Test
  void everyEntityWrittenOnAnyNodeReachesTheOthers() {
    try (JdbcStore s = Stores.open(NodeSettings.load(null, Map.of(), schema.settings()), "bootstrap")) {
      s.migrateUp();
    }
    Backend one = Backend.start("one");
    Backend two = Backend.start("two");
    backends.add(one);
    backends.add(two);
    Node a = start("a");
    Node b = start("b");
    Node c = start("c");

    // services and routes: created on a, seen on b and c
    assertThat(a.admin().post("/services", "name=s", "url=http://" + one.target()).status()).isEqualTo(201);
    assertThat(a.admin().post("/services/s/routes", "name=r", "paths[]=/s").status()).isEqualTo(201);
    for (Node n : List.of(b, c)) {
      await().atMost(SOON).until(() -> n.servedBy("/s").equals("one"));
    }
    // a service update on b, seen on a and c
    assertThat(b.admin().patch("/services/s", "url=http://" + two.target()).status()).isEqualTo(200);
    for (Node n : List.of(a, c)) {
      await().atMost(SOON).until(() -> n.servedBy("/s").equals("two"));
    }
    // upstreams and targets on c; the service points at the upstream from a
    assertThat(c.admin().post("/upstreams", "name=u").status()).isEqualTo(201);
    assertThat(c.admin().post("/upstreams/u/targets", "target=" + one.target()).status()).isEqualTo(201);
    assertThat(a.admin().patch("/services/s", "host=u", "port=80").status()).isEqualTo(200);
    for (Node n : List.of(a, b, c)) {
      await().atMost(SOON).until(() -> n.servedBy("/s").equals("one"));
    }
    // a target replaced on b
    String oldTarget = b.admin().get("/upstreams/u/targets").json().path("data").get(0).path("id").asText();
    assertThat(b.admin().post("/upstreams/u/targets", "target=" + two.target()).status()).isEqualTo(201);
    assertThat(b.admin().delete("/upstreams/u/targets/" + oldTarget).status()).isEqualTo(204);
    for (Node n : List.of(a, c)) {
      await().atMost(SOON).until(() -> n.servedBy("/s").equals("two"));
    }
    // route update on c, then deletes on a: route, service, upstream
    assertThat(c.admin().patch("/routes/r", "paths[]=/moved").status()).isEqualTo(200);
    for (Node n : List.of(a, b)) {
      await().atMost(SOON).until(() -> n.status("/s") == 404 && n.servedBy("/moved").equals("two"));
    }
    assertThat(a.admin().delete("/routes/r").status()).isEqualTo(204);
    assertThat(a.admin().delete("/services/s").status()).isEqualTo(204);
    assertThat(a.admin().delete("/upstreams/u").status()).isEqualTo(204);
    for (Node n : List.of(b, c)) {
      await().atMost(SOON).until(() -> n.status("/moved") == 404);
    }
  }
}
