package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "reload",
    description = "Make the node running in the prefix re-read its haproxy.cfg (SIGHUP) and report the outcome.")
final class ReloadCommand implements Callable<Integer> {
  private static final long WAIT_MILLIS = 15_000;

  @Mixin ConfOptions options;

  @Override
  public Integer call() throws Exception {
    NodeSettings settings = options.loadOrReport();
    if (settings == null) {
      return 1;
    }
    Long pid = ConfOptions.runningNode(settings);
    if (pid == null) {
      return 1;
    }
    Path status = settings.prefix().resolve(StartCommand.RELOAD_STATUS_FILE);
    String before = read(status);
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
    if (kill.waitFor() != 0) {
      System.err.println("Error: cannot signal pid " + pid);
      return 1;
    }
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      String now = read(status);
      if (now != null && !now.equals(before)) {
        String outcome = now.substring(now.indexOf(' ') + 1).trim();
        if (outcome.equals("ok")) {
          System.out.println("Fulcrum reloaded");
          return 0;
        }
        System.err.println("Error: reload failed, the running configuration is unchanged: "
            + outcome.substring("error: ".length()));
        return 1;
      }
      Thread.sleep(50);
    }
    System.err.println("Error: no answer from pid " + pid + " within " + WAIT_MILLIS / 1000 + " s");
    return 1;
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null;
    }
  }
}
