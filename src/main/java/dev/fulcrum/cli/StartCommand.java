package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.haproxy.CfgException;
import dev.fulcrum.net.Listeners;
import dev.fulcrum.net.Transport;
import dev.fulcrum.server.Node;
import dev.fulcrum.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "start", description = "Run a node in the foreground until SIGTERM, SIGINT or 'fulcrum stop'.")
class StartCommand implements Callable<Integer> {
  /** Where a node reports the outcome of its last reload, for 'fulcrum reload'. */
  static final String RELOAD_STATUS_FILE = "fulcrum.reload";

  @Mixin ConfOptions options;

  @Option(
      names = "--haproxy-config",
      paramLabel = "FILE",
      description = "Also run this haproxy.cfg (global, defaults, frontend, backend, listen sections).")
  Path haproxyConfig;

  @Override
  public Integer call() {
    NodeSettings settings = options.loadOrReport();
    if (settings == null) {
      return 1;
    }
    ConfOptions.configureLogging(settings.logLevel());
    settings.warnings().forEach(w -> System.err.println("Warning: " + w));
    Long running = runningPid(settings.prefix());
    ProcessHandle predecessor = null;
    if (running != null) {
      if (!restart()) {
        System.err.println("Error: Fulcrum is already running in " + settings.prefix() + " (pid " + running + ")");
        return 1;
      }
      if (!Listeners.canTakeOver()) {
        System.err.println("Error: cannot restart without a break: the " + Transport.kind().name().toLowerCase(Locale.ROOT)
            + " transport cannot share listening sockets; run 'fulcrum stop' then 'fulcrum start'");
        return 1;
      }
      predecessor = ProcessHandle.of(running).orElse(null);
    } else if (restart()) {
      System.err.println("Fulcrum is not running in " + settings.prefix() + "; starting it");
    }
    Node node;
    try {
      node = Node.start(settings, haproxyConfig, System.getenv(), predecessor != null);
    } catch (SettingsException | StoreException | CfgException e) {
      System.err.println("Error: " + e.getMessage() + whoServes(running));
      return 1;
    } catch (RuntimeException e) {
      System.err.println("Error: cannot start: " + e + whoServes(running));
      return 1;
    }
    if (predecessor != null) {
      node.takeOver(predecessor);
      System.err.println("Fulcrum restarted: pid " + ProcessHandle.current().pid() + " took over from pid " + running);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop =
        () -> {
          node.stop();
          stopped.countDown();
        };
    // Handling TERM and INT ourselves lets the node drain and exit 0 (a JVM shutdown hook would
    // exit 143).
    for (String sig : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(sig), s -> new Thread(stop, "fulcrum-stop").start());
    }
    // HUP re-reads the haproxy.cfg, as a reload of HAProxy does.
    Signal.handle(new Signal("HUP"), s -> new Thread(() -> reload(node, settings.prefix()), "fulcrum-reload").start());
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Whether this command takes over a node running in the prefix ('fulcrum restart'). */
  boolean restart() {
    return false;
  }

  /** After a failed restart: the old node goes on. */
  private static String whoServes(Long running) {
    return running == null ? "" : " (pid " + running + " goes on serving)";
  }

  private static synchronized void reload(Node node, Path prefix) {
    String error = node.reload();
    String status = (error == null ? "ok" : "error: " + error) + "\n";
    try {
      Files.writeString(prefix.resolve(RELOAD_STATUS_FILE), System.nanoTime() + " " + status);
    } catch (IOException e) {
      System.err.println("Warning: cannot write " + prefix.resolve(RELOAD_STATUS_FILE) + ": " + e.getMessage());
    }
  }

  /** The pid in the prefix's pid file if that process is alive. */
  static Long runningPid(Path prefix) {
    Path file = prefix.resolve(Node.PID_FILE);
    try {
      if (!Files.exists(file)) {
        return null;
      }
      long pid = Long.parseLong(Files.readString(file).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(p -> pid).orElse(null);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
