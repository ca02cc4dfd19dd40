package dev.fulcrum.conf;

import java.util.Locale;

/** Values written the nginx way, as kong.conf's {@code nginx_*} settings take them. */
final class NginxValues {
  private NginxValues() {}

  /** A time: {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or a number of seconds; in ms. */
  static long timeMillis(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    long unit = 1000;
    int suffix = 0;
    if (v.endsWith("ms")) {
      unit = 1;
      suffix = 2;
    } else if (v.endsWith("s")) {
      suffix = 1;
    } else if (v.endsWith("m")) {
      unit = 60_000;
      suffix = 1;
    } else if (v.endsWith("h")) {
      unit = 3_600_000;
      suffix = 1;
    }
    long n = number(v.substring(0, v.length() - suffix));
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new SettingsException(key + ": '" + value + "' is not a time (expected: 500ms, 60s, 2m, 1h or seconds)");
    }
    return n * unit;
  }

  /** A size: bytes, or a number with k or m; at most 1 GiB. */
  static int bytes(String key, String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    long unit = v.endsWith("k") ? 1024 : v.endsWith("m") ? 1024 * 1024 : 1;
    long n = number(unit == 1 ? v : v.substring(0, v.length() - 1));
    if (n <= 0 || n * unit > (1L << 30)) {
      throw new SettingsException(
          key + ": '" + value + "' is not a size (expected: bytes, or a number with k or m, up to 1024m)");
    }
    return (int) (n * unit);
  }

  /** The digits as a number, or -1 when they are not one. */
  private static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(digits);
  }
}
