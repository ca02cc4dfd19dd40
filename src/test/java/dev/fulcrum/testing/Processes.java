package dev.fulcrum.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

  /** A backend in its own process, answering once it printed that it listens. */
  public static Process backend(String name, int port) {
    Process p = java(Backend.class.getName(), Map.of(), null, name, Integer.toString(port));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null || !line.startsWith("listening")) {
        p.destroyForcibly();
        throw new IllegalStateException("backend " + name + " did not start: " + line);
      }
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  public static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String separator() {
    return File.pathSeparator;
  }
}
