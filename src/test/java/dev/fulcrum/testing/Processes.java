package dev.fulcrum.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts parts of the system as real processes, to stop them the way operators and crashes do. */
public final class Processes {
  private Processes() {}

  /** A JVM running {@code mainClass} with this test run's classpath. */
  public static Process java(String mainClass, Map<String, String> env, Path log, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    // The JDK's HttpServer writes headers and body apart; without TCP_NODELAY, Nagle and delayed
    // ACKs add 40 ms to each exchange.
    cmd.add("-Dsun.net.httpserver.nodelay=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    if (log != null) {
      pb.redirectOutput(log.toFile());
    }
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A backend in its own process and the port it listens on. */
  public record BackendProcess(Process process, int port) {}

  /**
   * A backend in its own process on {@code port} (0: one the OS picks), answering once it printed
   * that it listens.
   */
  public static BackendProcess backend(String name, int port) {
    Process p = java(Backend.class.getName(), Map.of(), null, name, Integer.toString(port));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("listening ")) {
        p.destroyForcibly();
        throw new IllegalStateException("backend " + name + " did not start: " + line);
      }
      return new BackendProcess(p, Integer.parseInt(line.substring("listening ".length()).trim()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until {@code p} wrote a match of {@code pattern} to {@code log} and returns the match;
   * fails at once if the process exits first.
   */
  public static Matcher awaitLog(Process p, Path log, Pattern pattern, Duration atMost) {
    AtomicReference<Matcher> found = new AtomicReference<>();
    await().atMost(atMost).until(() -> {
      boolean alive = p.isAlive();
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
      Matcher m = pattern.matcher(text);
      if (m.find()) {
        found.set(m);
        return true;
      }
      if (!alive) {
        throw new AssertionError("exited (" + p.exitValue() + ") before logging " + pattern + ":\n" + text);
      }
      return false;
    });
    return found.get();
  }

  /** The listeners a node started with {@code fulcrum start} logged when it started. */
  public record NodeListeners(List<InetSocketAddress> proxy, List<InetSocketAddress> admin) {
    public int proxyPort() {
      return proxy.get(0).getPort();
    }

    public int adminPort() {
      return admin.get(0).getPort();
    }
  }

  private static final Pattern STARTED =
      Pattern.compile("fulcrum \\S+ started \\([^)]*\\): node \\S+, proxy \\[([^\\]]*)\\], admin \\[([^\\]]*)\\]");

  /**
   * Waits for the start-up line of a node started with {@code fulcrum start} ("fulcrum VERSION
   * started (...): node ID, proxy [/127.0.0.1:PORT], admin [...]") and returns the addresses it
   * names: the node binds port 0 and says which port it got.
   */
  public static NodeListeners awaitStarted(Process p, Path log) {
    Matcher m = awaitLog(p, log, STARTED, Duration.ofSeconds(30));
    return new NodeListeners(addresses(m.group(1)), addresses(m.group(2)));
  }

  /** "/127.0.0.1:8000, /127.0.0.1:8443" as {@code List<InetSocketAddress>.toString()} writes it. */
  private static List<InetSocketAddress> addresses(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String a : list.split(", ")) {
      String hostAndPort = a.substring(a.indexOf('/') + 1);
      int colon = hostAndPort.lastIndexOf(':');
      out.add(new InetSocketAddress(hostAndPort.substring(0, colon), Integer.parseInt(hostAndPort.substring(colon + 1))));
    }
    return out;
  }

  /** SIGKILL, and wait until the process is gone. */
  public static void kill(Process p) {
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String separator() {
    return File.pathSeparator;
  }
}
