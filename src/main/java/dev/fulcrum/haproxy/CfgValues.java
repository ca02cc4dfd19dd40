package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.CfgReader.Line;
import java.util.concurrent.TimeUnit;
import dev.fulcrum.conf.HaproxyTime;

/** Reading values off haproxy.cfg lines: arguments, numbers, times, addresses; errors name file and line. */
final class CfgValues {
  private CfgValues() {}

  static String need(Line l, int i) {
    if (i >= l.size()) {
      throw new CfgException(l.where() + ": '" + String.join(" ", l.words()) + "' expects an argument");
    }
    return l.word(i);
  }

  static int integer(Line l, int i) {
    String v = need(l, i);
    try {
      int n = Integer.parseInt(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new CfgException(l.where() + ": '" + l.word(0) + "' expects a positive integer, got '" + v + "'");
    }
  }

  static int positive(Line l, int i) {
    int n = integer(l, i);
    if (n == 0) {
      throw new CfgException(l.where() + ": '" + l.word(i - 1) + "' must be greater than 0");
    }
    return n;
  }

  /** HAProxy time: a number with an optional unit (us, ms, s, m, h, d); milliseconds by default. */
  static long time(Line l, int i) {
    try {
      return HaproxyTime.millis(need(l, i), TimeUnit.MILLISECONDS);
    } catch (IllegalArgumentException e) {
      throw new CfgException(l.where() + ": " + e.getMessage());
    }
  }

  /** {@code [ipv4@|ipv6@]host:port}, {@code *:port}, {@code :port}, {@code [v6]:port}. */
  static String[] hostPort(Line l, String a) {
    String s = a;
    if (s.startsWith("ipv4@") || s.startsWith("ipv6@")) {
      s = s.substring(5);
    }
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new CfgException(l.where() + ": missing port number in '" + a + "'");
    }
    String host = s.substring(0, colon);
    String port = s.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || host.equals("*")) {
      host = "0.0.0.0";
    }
    if (port.isEmpty()) {
      throw new CfgException(l.where() + ": missing port number in '" + a + "'");
    }
    return new String[] {host, port};
  }

  static int port(Line l, String text) {
    try {
      int p = Integer.parseInt(text);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new CfgException(l.where() + ": invalid port '" + text + "'");
    }
  }

}
