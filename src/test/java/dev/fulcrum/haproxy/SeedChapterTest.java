package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.RawHttp;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed chapter end to end: its haproxy.cfg (local ports), two backends in real processes,
 * {@code show stat nginx 4 -1} reading UP for both, round robin through the TCP frontend, and one
 * backend stopped gracefully (SIGTERM, like {@code systemctl stop nginx}) while 10 clients send
 * 1000 requests per second: no request fails, the server reads DOWN, then UP after a restart.
 */
class SeedChapterTest {
  @TempDir Path dir;

  @Test
  void stoppingABackendUnderLoadLosesNoRequest() throws Exception {
    Processes.BackendProcess nginx1 = Processes.backend("nginx-1", 0);
    Processes.BackendProcess nginx2 = Processes.backend("nginx-2", 0);
    Path cfg = dir.resolve("haproxy.cfg");
    Files.copy(CfgParserTest.seed(), cfg);
    Map<String, String> env =
        Map.of("STATS_PORT", "0", "FRONT_PORT", "0", "NGINX1_PORT", Integer.toString(nginx1.port()),
            "NGINX2_PORT", Integer.toString(nginx2.port()));
    NodeSettings settings = NodeSettings.load(null, Map.of(), Map.of("prefix", dir.resolve("prefix").toString()));
    try (Node node = Node.start(settings, cfg, env)) {
      SocketAddress stats = node.haproxy().statsAddresses().get(0);
      InetSocketAddress front = node.haproxy().addresses("main").get(0);
      await().atMost(Duration.ofSeconds(10)).until(() -> statuses(stats).values().stream().allMatch("UP"::equals));

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      ConcurrentHashMap<String, AtomicInteger> byServer = new ConcurrentHashMap<>();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      URI uri = URI.create("http://127.0.0.1:" + front.getPort() + "/hostname");
      ExecutorService clients = Executors.newFixedThreadPool(10);
      for (int c = 0; c < 10; c++) {
        clients.execute(() -> {
          long next = System.nanoTime();
          while (running.get()) {
            // 100 requests per second per client: 1000 in all, as the seed's k6 run.
            next += 10_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              try {
                TimeUnit.NANOSECONDS.sleep(wait);
              } catch (InterruptedException e) {
                return;
              }
            }
            try {
              HttpResponse<String> r =
                  client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                      HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                failures.add("status " + r.statusCode());
                continue;
              }
              String server = r.headers().firstValue("X-Backend").orElse("?");
              byServer.computeIfAbsent(server, k -> new AtomicInteger()).incrementAndGet();
              ok.incrementAndGet();
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        });
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> byServer.containsKey("nginx-1") && byServer.containsKey("nginx-2"));
      // About two seconds of the 1000 requests per second reach both servers before one stops.
      await().atMost(Duration.ofSeconds(15)).until(() -> ok.get() >= 2000);

      nginx1.process().destroy();
      assertThat(nginx1.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      await().atMost(Duration.ofSeconds(15)).until(() -> "DOWN".equals(statuses(stats).get("nginx/nginx-1")));
      int oneBefore = byServer.get("nginx-1").get();
      int okDown = ok.get();
      // About a second of requests while it is down: none of them may reach it, or fail.
      await().atMost(Duration.ofSeconds(15)).until(() -> ok.get() >= okDown + 1000);
      assertThat(byServer.get("nginx-1").get()).as("nothing reaches a stopped server").isEqualTo(oneBefore);

      // Started again where it was: its address is the one in the haproxy.cfg.
      nginx1 = Processes.backend("nginx-1", nginx1.port());
      await().atMost(Duration.ofSeconds(15)).until(() -> "UP".equals(statuses(stats).get("nginx/nginx-1")));
      int okUp = ok.get();
      // And about a second of requests once it is back.
      await().atMost(Duration.ofSeconds(15)).until(() -> ok.get() >= okUp + 1000);
      running.set(false);
      clients.shutdown();
      assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

      assertThat(failures).as("failed requests").isEmpty();
      assertThat(ok.get()).isGreaterThan(5000);
      // An L4 balancer picks a server per connection: the clients' kept-alive connections stay
      // where they are, new connections share the load again.
      Set<String> fresh = new HashSet<>();
      for (int i = 0; i < 4; i++) {
        fresh.add(RawHttp.header(
            RawHttp.exchange(front.getPort(), "GET /hostname HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "X-Backend"));
      }
      assertThat(fresh).containsExactlyInAnyOrder("nginx-1", "nginx-2");
    } finally {
      Processes.kill(nginx1.process());
      Processes.kill(nginx2.process());
    }
  }

  private static Map<String, String> statuses(SocketAddress stats) {
    return Cli.statuses(Cli.send(stats, "show stat nginx 4 -1"));
  }
}
