package dev.fulcrum.runtimeapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.Processes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools people point at HAProxy, pointed at Fulcrum: Debian's prometheus-haproxy-exporter
 * (over the stats socket and over the stats page's CSV) and hatop (interactive, on a terminal).
 * .ci/run installs both; without them this test is skipped.
 */
class MonitoringToolsTest {
  @TempDir static Path dir;
  static Backend up;
  static DeadPort dead;
  static Node node;
  static Path socket;
  static int statsPage;

  static boolean installed(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool));
  }

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(installed("prometheus-haproxy-exporter") && installed("hatop") && installed("script"),
        "prometheus-haproxy-exporter, hatop and script (util-linux) are needed");
    up = Backend.start("up");
    dead = DeadPort.open();
    socket = dir.resolve("admin.sock");
    node = HaproxyNodes.start(dir,
        "global", "  stats socket " + socket + " mode 600 level admin",
        "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s",
        "frontend fe", "  bind 127.0.0.1:0", "  stats uri /stats", "  default_backend be",
        "backend be",
        "  server up1 127.0.0.1:" + up.port() + " check inter 200",
        "  server down1 " + dead.target() + " check inter 200",
        "  server maint1 127.0.0.1:" + up.port() + " disabled",
        "  server nocheck 127.0.0.1:" + up.port(),
        "listen tcpfe", "  mode tcp", "  bind 127.0.0.1:0", "  server t1 127.0.0.1:" + up.port() + " check inter 200");
    statsPage = HaproxyNodes.frontend(node, "fe").getPort();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      String csv = Cli.sendUnix(socket, "show stat be 4 -1");
      return csv.contains(",up1,") && Cli.statuses(csv).get("be/up1").equals("UP")
          && Cli.statuses(csv).get("be/down1").equals("DOWN");
    });
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
      up.close();
    }
    if (dead != null) {
      dead.close();
    }
  }

  /** The exporter's "Listening on" line, which names the port it got for 127.0.0.1:0. */
  private static final Pattern EXPORTER_LISTENING = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");

  private static String scrape(String uri) throws Exception {
    Path log = Files.createTempFile(dir, "exporter-", ".log");
    Process exporter =
        new ProcessBuilder("prometheus-haproxy-exporter", "--haproxy.scrape-uri=" + uri,
                "--web.listen-address=127.0.0.1:0")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = Integer.parseInt(Processes.awaitLog(exporter, log, EXPORTER_LISTENING, Duration.ofSeconds(10)).group(1));
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.body();
    } finally {
      exporter.destroy();
      exporter.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static void assertMetricsMatchReality(String metrics) {
    assertThat(metrics).contains("\nhaproxy_up 1\n");
    assertThat(metrics).contains("\nhaproxy_exporter_csv_parse_failures_total 0\n");
    assertThat(metrics).contains("haproxy_server_up{backend=\"be\",server=\"up1\"} 1\n");
    assertThat(metrics).contains("haproxy_server_up{backend=\"be\",server=\"down1\"} 0\n");
    assertThat(metrics).contains("haproxy_server_up{backend=\"be\",server=\"maint1\"} 0\n");
    assertThat(metrics).contains("haproxy_server_up{backend=\"be\",server=\"nocheck\"} 1\n");
    assertThat(metrics).contains("haproxy_server_up{backend=\"tcpfe\",server=\"t1\"} 1\n");
    assertThat(metrics).contains("haproxy_backend_up{backend=\"be\"} 1\n");
    assertThat(metrics).contains("haproxy_frontend_current_sessions{frontend=\"tcpfe\"} 0\n");
  }

  @Test
  void prometheusExporterScrapesTheStatsSocket() throws Exception {
    assertMetricsMatchReality(scrape("unix:" + socket));
  }

  @Test
  void prometheusExporterScrapesTheStatsPage() throws Exception {
    assertMetricsMatchReality(scrape("http://127.0.0.1:" + statsPage + "/stats;csv"));
  }

  @Test
  void hatopShowsEveryProxyAndServer() throws Exception {
    Path screen = dir.resolve("hatop.out");
    ProcessBuilder pb =
        new ProcessBuilder("script", "-qfc", "stty rows 50 cols 200; hatop -s " + socket + " -i 1", screen.toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("hatop.log").toFile());
    pb.environment().put("TERM", "xterm");
    Process hatop = pb.start();
    List<String> expected = new ArrayList<>(List.of("Fulcrum", "fe", "be", "tcpfe", "up1", "down1", "maint1", "nocheck",
        "DOWN", "MAINT", "L4OK", "L4CON"));
    try (OutputStream in = hatop.getOutputStream()) {
      // hatop draws its screen, then is asked to quit, as a person would once they saw it.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertDrew(screen, expected));
      in.write('q');
      in.flush();
      assertThat(hatop.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      hatop.destroyForcibly();
    }
    assertDrew(screen, expected);
  }

  private static void assertDrew(Path screen, List<String> expected) throws IOException {
    // Strip the terminal's escape sequences and look at what was drawn.
    String raw = Files.exists(screen) ? Files.readString(screen, StandardCharsets.ISO_8859_1) : "";
    String drawn = raw.replaceAll("\u001b\\[[0-9;?]*[a-zA-Z]", " ");
    assertThat(drawn).doesNotContain("Traceback").doesNotContain("error while");
    for (String e : expected) {
      assertThat(drawn).as("hatop drew " + e).contains(e);
    }
  }
}
