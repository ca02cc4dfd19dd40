package dev.fulcrum.conf;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One entry of a {@code *_listen} setting: {@code host:port} followed by flags, Kong's syntax
 * ({@code 0.0.0.0:8000 reuseport backlog=16384}). Port 0 asks the OS for a free port.
 */
public record ListenAddress(String host, int port, boolean reuseport, int backlog, boolean proxyProtocol) {
  public static final int DEFAULT_BACKLOG = 16384;

  /** Parses a comma-separated list; {@code off} means none. */
  public static List<ListenAddress> parseList(String key, String value) {
    List<ListenAddress> out = new ArrayList<>();
    String v = value.trim();
    if (v.equalsIgnoreCase("off") || v.isEmpty()) {
      return out;
    }
    for (String entry : v.split(",")) {
      out.add(parse(key, entry.trim()));
    }
    return out;
  }

  static ListenAddress parse(String key, String entry) {
    String[] parts = entry.split("\\s+");
    String hostPort = parts[0];
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new SettingsException(key, entry, "expected host:port");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.equals("*")) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new SettingsException(key, entry, "port must be a number");
    }
    if (port < 0 || port > 65535) {
      throw new SettingsException(key, entry, "port must be between 0 and 65535");
    }
    boolean reuseport = false;
    boolean proxyProtocol = false;
    int backlog = DEFAULT_BACKLOG;
    for (int i = 1; i < parts.length; i++) {
      String flag = parts[i].toLowerCase(Locale.ROOT);
      if (flag.equals("reuseport")) {
        reuseport = true;
      } else if (flag.equals("proxy_protocol")) {
        proxyProtocol = true;
      } else if (flag.startsWith("backlog=")) {
        try {
          backlog = Integer.parseInt(flag.substring("backlog=".length()));
        } catch (NumberFormatException e) {
          throw new SettingsException(key, entry, "backlog must be a number");
        }
      } else if (flag.equals("deferred") || flag.equals("bind")) {
        // Accepted for kong.conf compatibility; Netty binds every address on its own already.
      } else {
        throw new SettingsException(
            key, entry, "flag '" + parts[i] + "' is not supported (supported: reuseport, backlog=N, proxy_protocol)");
      }
    }
    return new ListenAddress(host, port, reuseport, backlog, proxyProtocol);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
