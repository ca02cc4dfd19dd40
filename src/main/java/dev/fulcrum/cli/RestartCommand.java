package dev.fulcrum.cli;

import picocli.CommandLine.Command;

/**
 * {@code fulcrum restart}: a new node, with the code and configuration found now, takes over the
 * running node's ports without refusing or dropping a connection; the old node answers what it
 * has and exits. A new node that cannot start leaves the old one serving and says why.
 */
@Command(
    name = "restart",
    description =
        "Start a new node in the foreground that takes over the ports of the node running in the prefix;"
            + " the old node finishes its requests and exits. A new node that fails leaves the old one serving.")
final class RestartCommand extends StartCommand {
  @Override
  boolean restart() {
    return true;
  }
}
