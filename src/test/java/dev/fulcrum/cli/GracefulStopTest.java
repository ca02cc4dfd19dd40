package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node in its own process stops gracefully on SIGTERM and on 'fulcrum stop'. */
class GracefulStopTest {
  @TempDir Path prefix;
  Backend backend;
  Process node;
  int proxyPort;

  @BeforeEach
  void start() throws Exception {
    backend = Backend.start("slow");
    node =
        Processes.java(
            Main.class.getName(),
            Map.of(
                "FULCRUM_PROXY_LISTEN", "127.0.0.1:0",
                "FULCRUM_ADMIN_LISTEN", "127.0.0.1:0",
                "FULCRUM_DRAIN_TIMEOUT", "10",
                "FULCRUM_LOG_LEVEL", "info"),
            prefix.resolve("node.log"),
            "start", "-p", prefix.toString());
    Processes.NodeListeners listeners = Processes.awaitStarted(node, prefix.resolve("node.log"));
    proxyPort = listeners.proxyPort();
    AdminClient admin = new AdminClient("http://127.0.0.1:" + listeners.adminPort());
    assertThat(admin.get("/status").status()).isEqualTo(200);
    admin.post("/services", "name=slow", "url=http://" + backend.target());
    admin.post("/services/slow/routes", "paths[]=/");
  }

  @AfterEach
  void stop() {
    node.destroyForcibly();
    backend.close();
  }

  private CompletableFuture<HttpResponse<String>> slowRequest() {
    return Http.CLIENT.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/delay/1500")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private boolean accepting() {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void sigtermFinishesRequestsInFlightThenExitsZero() throws Exception {
    try (RawHttp idle = new RawHttp(proxyPort)) {
      assertThat(RawHttp.status(idle.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse())).isEqualTo(200);
      CompletableFuture<HttpResponse<String>> inFlight = slowRequest();
      await().atMost(Duration.ofSeconds(5)).until(() -> backend.hits() >= 2);
      node.destroy(); // SIGTERM
      await().atMost(Duration.ofSeconds(5)).until(() -> !accepting());
      assertThat(idle.closedByServer()).as("idle keep-alive connection closed").isTrue();
      HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("connection")).contains("close");
    }
    assertThat(node.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).isZero();
    assertThat(Files.readString(prefix.resolve("node.log"))).contains("stopping: draining 1 requests in flight");
    assertThat(prefix.resolve("fulcrum.pid")).doesNotExist();
  }

  @Test
  void stopCommandStopsTheNodeInThePrefix() throws Exception {
    CompletableFuture<HttpResponse<String>> inFlight = slowRequest();
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.hits() >= 1);
    Process stop = Processes.java(Main.class.getName(), Map.of(), prefix.resolve("stop.log"), "stop", "-p", prefix.toString());
    assertThat(stop.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(stop.exitValue()).isZero();
    assertThat(Files.readString(prefix.resolve("stop.log"))).contains("Fulcrum stopped");
    assertThat(inFlight.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(node.exitValue()).isZero();
    Process again = Processes.java(Main.class.getName(), Map.of(), prefix.resolve("stop2.log"), "stop", "-p", prefix.toString());
    assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(again.exitValue()).isEqualTo(1);
    assertThat(Files.readString(prefix.resolve("stop2.log"))).contains("no Fulcrum running");
  }
}
