package dev.fulcrum.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code fulcrum <command>}: the launcher's entry point. */
@Command(
    name = "fulcrum",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Load balancer and API gateway with Kong's Admin API and HAProxy's balancing.",
    subcommands = {
      StartCommand.class,
      StopCommand.class,
      RestartCommand.class,
      ReloadCommand.class,
      VersionCommand.class,
      MigrationsCommand.class,
      ConfigCommand.class
    })
public final class Main implements Runnable {
  public static void main(String[] args) {
    int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
