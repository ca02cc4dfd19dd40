package dev.fulcrum.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code host[:port]}: IPv4, IPv6 (bracketed when it has a port) or a hostname, with the
 * normalisation and error texts of Kong's {@code kong.tools.ip.normalize_ip}.
 *
 * @param type "ipv4", "ipv6" or "name"
 * @param host normalised address (IPv6 fully expanded, without brackets) or the name as given
 * @param port the port, or -1 when none was given
 * @param error null when valid, else why not
 */
public record HostPort(String type, String host, int port, String error) {
  private static final Pattern IPV4 =
      Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?::(\\d+))?$");
  private static final Pattern NAME_CHARS = Pattern.compile("^[0-9A-Za-z\\-._]+$");
  private static final Pattern HEX_GROUP = Pattern.compile("^[0-9a-fA-F]{1,4}$");

  public boolean valid() {
    return error == null;
  }

  public boolean hasPort() {
    return port >= 0;
  }

  public boolean isIp() {
    return !type.equals("name");
  }

  private static HostPort fail(String type, String error) {
    return new HostPort(type, null, -1, error);
  }

  public static String hostnameType(String name) {
    int colons = 0;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == ':') {
        colons++;
      }
    }
    if (colons > 1) {
      return "ipv6";
    }
    String rest = name.replace(":", "");
    return !rest.isEmpty() && rest.matches("^[\\d.]+$") ? "ipv4" : "name";
  }

  public static HostPort parse(String address) {
    switch (hostnameType(address)) {
      case "ipv4":
        return ipv4(address);
      case "ipv6":
        return ipv6(address);
      default:
        return name(address);
    }
  }

  private static HostPort ipv4(String address) {
    Matcher m = IPV4.matcher(address);
    if (!m.matches()) {
      return fail("ipv4", "invalid ipv4 address: " + address);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        return fail("ipv4", "invalid ipv4 address: " + address);
      }
      if (i > 1) {
        sb.append('.');
      }
      sb.append(octet);
    }
    int port = -1;
    if (m.group(5) != null) {
      port = parsePort(m.group(5));
      if (port < 0) {
        return fail("ipv4", "invalid port number");
      }
    }
    return new HostPort("ipv4", sb.toString(), port, null);
  }

  private static HostPort ipv6(String address) {
    String check = address;
    int port = -1;
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0) {
        return fail("ipv6", "invalid ipv6 address: " + address);
      }
      check = address.substring(1, close);
      String rest = address.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.matches("^:\\d+$")) {
          return fail("ipv6", "invalid ipv6 address");
        }
        port = parsePort(rest.substring(1));
        if (port < 0) {
          return fail("ipv6", "invalid port number");
        }
      }
    }
    String expanded = expandIpv6(check);
    if (expanded == null) {
      return fail("ipv6", "invalid ipv6 address: " + address);
    }
    return new HostPort("ipv6", expanded, port, null);
  }

  /** Fully expanded lower-case form, or null if it is not an IPv6 address. */
  static String expandIpv6(String text) {
    String check = text;
    if (check.startsWith(":")) {
      check = "0" + check;
    }
    if (check.endsWith(":")) {
      check = check + "0";
    }
    if (check.contains("::")) {
      int colons = check.length() - check.replace(":", "").length();
      StringBuilder ins = new StringBuilder(":");
      for (int i = 0; i < 8 - colons; i++) {
        ins.append("0:");
      }
      check = check.replaceFirst("::", ins.toString());
    }
    String[] groups = check.split(":", -1);
    if (groups.length != 8) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (!HEX_GROUP.matcher(groups[i]).matches()) {
        return null;
      }
      if (i > 0) {
        sb.append(':');
      }
      sb.append("0000", 0, 4 - groups[i].length()).append(groups[i]);
    }
    return sb.toString().toLowerCase(Locale.ROOT);
  }

  private static HostPort name(String address) {
    String name = address;
    int port = -1;
    Matcher m = Pattern.compile(":(\\d+)$").matcher(address);
    if (m.find()) {
      name = address.substring(0, m.start());
      port = parsePort(m.group(1));
      if (port < 0) {
        return fail("name", "invalid port number");
      }
    }
    if (!NAME_CHARS.matcher(name).matches()) {
      return fail("name", "invalid hostname: " + address);
    }
    String[] segments = name.split("\\.", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.endsWith("-") || (s.isEmpty() && i != segments.length - 1)) {
        return fail("name", "invalid hostname: " + address);
      }
    }
    return new HostPort("name", name, port, null);
  }

  private static int parsePort(String digits) {
    if (digits.length() > 5) {
      return -1;
    }
    int p = Integer.parseInt(digits);
    return p > 65535 ? -1 : p;
  }

  /** {@code host:port}, with brackets around IPv6 addresses, as Kong's format_host writes it. */
  public String format(int defaultPort) {
    int p = hasPort() ? port : defaultPort;
    String h = type.equals("ipv6") ? "[" + host + "]" : host;
    return p >= 0 ? h + ":" + p : h;
  }
}
