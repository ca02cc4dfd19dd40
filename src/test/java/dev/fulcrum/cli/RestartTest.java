package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'fulcrum restart' as an operator runs it, every node a process of its own: a new node takes
 * the ports over while clients keep sending, and no request fails.
 */
class RestartTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    processes.forEach(Processes::kill);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process fulcrum(Map<String, String> env, String log, String... args) {
    Process p = Processes.java(Main.class.getName(), env, dir.resolve(log), args);
    processes.add(p);
    return p;
  }

  private String log(String name) throws IOException {
    return Files.readString(dir.resolve(name), StandardCharsets.ISO_8859_1);
  }

  /** Clients that keep sending until stopped, counting answers and failures. */
  private static final class Load implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger ok = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final List<Thread> threads = new ArrayList<>();

    /** Two keep-alive clients (the JDK's, pooling connections) and two opening a connection per request. */
    Load(int port, String path) {
      for (int i = 0; i < 2; i++) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build();
        start("keep-alive", () -> {
          HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
          return r.statusCode();
        });
        start("close", () -> oneConnection(port, path));
      }
    }

    interface Call {
      int status() throws Exception;
    }

    private void start(String kind, Call call) {
      Thread t = new Thread(() -> {
        while (running.get()) {
          try {
            int status = call.status();
            if (status == 200) {
              ok.incrementAndGet();
            } else {
              failures.add(kind + ": status " + status);
            }
          } catch (Exception e) {
            failures.add(kind + ": " + e);
          }
          sleep(2);
        }
      });
      t.start();
      threads.add(t);
    }

    private static int oneConnection(int port, String path) throws IOException {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: restart.test\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!all.startsWith("HTTP/1.1 ")) {
          throw new IOException("no response: '" + all + "'");
        }
        return Integer.parseInt(all.substring(9, 12));
      }
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(15_000);
      }
    }
  }

  private static final Pattern MASTER_PID = Pattern.compile("\"master\":(\\d+)");

  /** The pid the Admin API on {@code port} reports, over a connection of its own. */
  private static long adminPid(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      java.util.regex.Matcher m = MASTER_PID.matcher(all);
      assertThat(m.find()).as(all).isTrue();
      return Long.parseLong(m.group(1));
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final Pattern RESTARTED = Pattern.compile("Fulcrum restarted: pid (\\d+) took over from pid (\\d+)");

  /**
   * Restarts the node in {@code prefix} under {@code load} and checks that the old process exits 0,
   * the new one serves, and the load saw no failure.
   */
  private Process restartUnderLoad(Map<String, String> env, Process old, Load load, String... args) throws Exception {
    return restartUnderLoad(env, old, load, 0, args);
  }

  /**
   * As above; with an Admin API port, also checks that every connection opened once the new node
   * has taken over reaches it, though the old one still accepts what was queued on its sockets.
   */
  private Process restartUnderLoad(Map<String, String> env, Process old, Load load, int adminPort, String... args)
      throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() >= 100);
    int before = load.ok.get();
    Process fresh = fulcrum(env, "restarted.log", args);
    Processes.awaitLog(fresh, dir.resolve("restarted.log"), RESTARTED, Duration.ofSeconds(30));
    if (adminPort != 0) {
      for (int i = 0; i < 20; i++) {
        assertThat(adminPid(adminPort)).isEqualTo(fresh.pid());
      }
      assertThat(old.isAlive()).as("the old node is still in its accepting grace").isTrue();
    }
    assertThat(old.waitFor(30, TimeUnit.SECONDS)).as("the old node exits").isTrue();
    assertThat(old.exitValue()).isZero();
    int atExit = load.ok.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() >= atExit + 100);
    load.close();
    assertThat(load.failures).as("failed requests during the restart").isEmpty();
    assertThat(atExit).isGreaterThan(before);
    return fresh;
  }

  /** A Kong-mode node on fixed ports (a restart must open the same ones), routing / to a backend. */
  private record KongNode(Process process, Map<String, String> env, int proxy, int admin, Path prefix, AdminClient api) {}

  private KongNode kongNode() throws IOException {
    Backend backend = Backend.start("b");
    closing.add(backend);
    int proxy = freePort();
    int admin = freePort();
    Path prefix = dir.resolve("prefix");
    Map<String, String> env = new HashMap<>(Map.of(
        "FULCRUM_PROXY_LISTEN", "127.0.0.1:" + proxy,
        "FULCRUM_ADMIN_LISTEN", "127.0.0.1:" + admin,
        "FULCRUM_PREFIX", prefix.toString(),
        "FULCRUM_LOG_LEVEL", "info"));
    Process old = fulcrum(env, "old.log", "start");
    Processes.awaitStarted(old, dir.resolve("old.log"));
    AdminClient api = new AdminClient("http://127.0.0.1:" + admin);
    api.post("/services", "name=s", "url=http://" + backend.target());
    api.post("/services/s/routes", "paths[]=/");
    return new KongNode(old, env, proxy, admin, prefix, api);
  }

  @Test
  void kongModeRestartsUnderLoadWithoutAFailedRequest() throws Exception {
    KongNode k = kongNode();
    int proxy = k.proxy();
    int admin = k.admin();
    Path prefix = k.prefix();
    Map<String, String> env = k.env();
    Process old = k.process();
    AdminClient api = k.api();

    Load load = new Load(proxy, "/hello");
    closing.add(load);
    Process fresh = restartUnderLoad(env, old, load, admin, "restart");

    assertThat(Files.readString(prefix.resolve("fulcrum.pid")).trim()).isEqualTo(Long.toString(fresh.pid()));
    assertThat(log("old.log")).contains("took over: accepting for 1000 ms what was queued here, then draining");
    // The new node has the configuration and its Admin API answers on the same port.
    assertThat(api.get("/services/s").status()).isEqualTo(200);
    // And it can be restarted again: the steering is back on its own sockets.
    Load again = new Load(proxy, "/hello");
    closing.add(again);
    await().atMost(Duration.ofSeconds(10)).until(() -> again.ok.get() >= 100);
    Process third = fulcrum(env, "third.log", "restart");
    Processes.awaitLog(third, dir.resolve("third.log"), RESTARTED, Duration.ofSeconds(30));
    assertThat(fresh.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int atExit = again.ok.get();
    await().atMost(Duration.ofSeconds(10)).until(() -> again.ok.get() >= atExit + 100);
    again.close();
    assertThat(again.failures).isEmpty();
  }

  @Test
  void haproxyModeHandsOverFrontendsAndTheStatsSocket() throws Exception {
    Backend backend = Backend.start("b");
    closing.add(backend);
    int front = freePort();
    Path socket = dir.resolve("stats.sock");
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, String.join("\n",
        "global",
        "  stats socket " + socket + " level admin",
        "defaults",
        "  mode http",
        "  timeout connect 1s",
        "  timeout client 10s",
        "  timeout server 10s",
        "frontend web",
        "  bind 127.0.0.1:" + front,
        "  default_backend app",
        "backend app",
        "  server s1 " + backend.target(),
        ""));
    Map<String, String> env = Map.of("FULCRUM_PREFIX", dir.resolve("prefix").toString(), "FULCRUM_LOG_LEVEL", "info");
    Process old = fulcrum(env, "old.log", "start", "--haproxy-config", cfg.toString());
    Processes.awaitLog(old, dir.resolve("old.log"), Pattern.compile("started"), Duration.ofSeconds(30));
    assertThat(Cli.sendUnix(socket, "show info")).contains("Pid: " + old.pid());

    Load load = new Load(front, "/");
    closing.add(load);
    Process fresh = restartUnderLoad(env, old, load, "restart", "--haproxy-config", cfg.toString());

    assertThat(Cli.sendUnix(socket, "show info")).contains("Pid: " + fresh.pid());
  }

  @Test
  void aNewNodeThatCannotStartLeavesTheOldOneServing() throws Exception {
    KongNode k = kongNode();
    int proxy = k.proxy();
    Path prefix = k.prefix();
    Map<String, String> env = k.env();
    Process old = k.process();

    // A port another process holds: the new node cannot open all its listeners.
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
      Map<String, String> bad = new HashMap<>(env);
      bad.put("FULCRUM_STREAM_LISTEN", "127.0.0.1:" + taken.getLocalPort());
      Process failed = fulcrum(bad, "failed.log", "restart");
      assertThat(failed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(failed.exitValue()).isEqualTo(1);
      assertThat(log("failed.log")).contains("Error: stream_listen: ", "(pid " + old.pid() + " goes on serving)");
    }
    Process broken = fulcrum(Map.of("FULCRUM_PREFIX", prefix.toString(), "FULCRUM_PROXY_LISTEN", "nonsense"),
        "broken.log", "restart");
    assertThat(broken.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(broken.exitValue()).isEqualTo(1);
    assertThat(log("broken.log")).contains("proxy_listen");

    assertThat(old.isAlive()).isTrue();
    assertThat(Files.readString(prefix.resolve("fulcrum.pid")).trim()).isEqualTo(Long.toString(old.pid()));
    try (Load load = new Load(proxy, "/")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.get() >= 20);
      load.close();
      assertThat(load.failures).isEmpty();
    }
  }

  @Test
  void startRefusesAPortAnotherNodeListensOn() throws Exception {
    int proxy = freePort();
    Map<String, String> env = Map.of(
        "FULCRUM_PROXY_LISTEN", "127.0.0.1:" + proxy,
        "FULCRUM_ADMIN_LISTEN", "127.0.0.1:0",
        "FULCRUM_PREFIX", dir.resolve("a").toString());
    Process a = fulcrum(env, "a.log", "start");
    Processes.awaitStarted(a, dir.resolve("a.log"));
    Map<String, String> other = new HashMap<>(env);
    other.put("FULCRUM_PREFIX", dir.resolve("b").toString());
    Process b = fulcrum(other, "b.log", "start");
    assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(b.exitValue()).isEqualTo(1);
    assertThat(log("b.log")).contains("proxy_listen: cannot listen on 127.0.0.1:" + proxy + ": Address already in use");
  }
}
