package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code -c fulcrum.conf} and {@code -p prefix}, shared by the commands that need settings. */
final class ConfOptions {
  @Option(names = {"-c", "--conf"}, description = "Configuration file (kong.conf syntax).")
  Path conf;

  @Option(names = {"-p", "--prefix"}, description = "Override the prefix directory.")
  Path prefix;

  /** The settings, or null after printing why they cannot be used. */
  NodeSettings loadOrReport() {
    try {
      return load();
    } catch (dev.fulcrum.conf.SettingsException e) {
      System.err.println("Error: " + e.getMessage());
      return null;
    }
  }

  /** The pid of the node running in the settings' prefix, or null after saying there is none. */
  static Long runningNode(NodeSettings settings) {
    Long pid = StartCommand.runningPid(settings.prefix());
    if (pid == null) {
      System.err.println("Error: no Fulcrum running in " + settings.prefix());
    }
    return pid;
  }

  NodeSettings load() {
    Map<String, String> overrides = new HashMap<>();
    if (prefix != null) {
      overrides.put("prefix", prefix.toString());
    }
    return NodeSettings.load(conf, System.getenv(), overrides);
  }

  /** Routes slf4j-simple to Kong's log_level before any logger exists. */
  static void configureLogging(String kongLevel) {
    String level;
    switch (kongLevel) {
      case "debug":
        level = "debug";
        break;
      case "info":
      case "notice":
        level = "info";
        break;
      case "warn":
        level = "warn";
        break;
      default:
        level = "error";
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy/MM/dd HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "true");
    System.setProperty("org.slf4j.simpleLogger.log.io.netty", "warn".equals(level) || "error".equals(level) ? level : "info");
  }
}
