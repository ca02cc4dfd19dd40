package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "stop", description = "Stop the node running in the prefix gracefully (SIGTERM) and wait for it.")
final class StopCommand implements Callable<Integer> {
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
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      System.err.println("Error: no Fulcrum running in " + settings.prefix());
      return 1;
    }
    process.get().destroy();
    long waitSeconds = (long) settings.drainTimeout() + 10;
    try {
      process.get().onExit().get(waitSeconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("Error: Fulcrum (pid " + pid + ") did not stop within " + waitSeconds + " s");
      return 1;
    }
    System.out.println("Fulcrum stopped");
    return 0;
  }
}
