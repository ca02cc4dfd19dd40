package dev.fulcrum.conf;

import java.util.concurrent.TimeUnit;

/** HAProxy's time values (tools.c parse_time_err), shared by haproxy.cfg and the runtime API. */
public final class HaproxyTime {
  /** HAProxy stores timers as signed 32-bit milliseconds. */
  private static final long MAX_MILLIS = Integer.MAX_VALUE;

  private HaproxyTime() {}

  /**
   * Digits with an optional unit ({@code us, ms, s, m, h, d}).
   *
   * @param defaultUnit the unit of a bare number (milliseconds in haproxy.cfg, seconds on the CLI)
   * @return milliseconds; a non-zero time under a millisecond counts as one
   * @throws IllegalArgumentException saying what is wrong with {@code v}
   */
  public static long millis(String v, TimeUnit defaultUnit) {
    int n = 0;
    while (n < v.length() && Character.isDigit(v.charAt(n))) {
      n++;
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          "invalid time '" + v + "' (expected a number with an optional unit: us, ms, s, m, h, d)");
    }
    long micros = unitMicros(v.substring(n), defaultUnit, v);
    long value;
    try {
      value = Math.multiplyExact(Long.parseLong(v.substring(0, n)), micros);
    } catch (ArithmeticException | NumberFormatException e) {
      value = Long.MAX_VALUE;
    }
    long ms = value / 1000 + (value % 1000 > 0 && value < 1000 ? 1 : 0);
    if (ms > MAX_MILLIS) {
      throw new IllegalArgumentException(
          "timer overflow in '" + v + "' (maximum value is 2147483647 ms or ~24.8 days)");
    }
    return ms;
  }

  private static long unitMicros(String unit, TimeUnit defaultUnit, String v) {
    switch (unit) {
      case "":
        return defaultUnit.toMicros(1);
      case "us":
        return 1;
      case "ms":
        return 1_000;
      case "s":
        return 1_000_000;
      case "m":
        return 60_000_000;
      case "h":
        return 3_600_000_000L;
      case "d":
        return 86_400_000_000L;
      default:
        throw new IllegalArgumentException("invalid time unit in '" + v + "' (expected us, ms, s, m, h or d)");
    }
  }
}
