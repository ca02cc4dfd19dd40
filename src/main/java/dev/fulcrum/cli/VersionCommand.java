package dev.fulcrum.cli;

import dev.fulcrum.conf.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("Fulcrum " + Version.VERSION);
  }

  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Fulcrum " + Version.VERSION};
    }
  }
}
