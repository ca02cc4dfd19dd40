package dev.fulcrum.admin;

import java.util.Locale;

/**
 * How Kong's {@code /status?unit=&scale=} writes byte counts: {@code b} (or none) as whole
 * bytes, {@code k}, {@code m} (the default) or {@code g} with {@code scale} decimals (2 by default)
 * and KiB/MiB/GiB. Anything else is a 400 with Kong's message.
 */
record MemoryUnits(String unit, int scale) {
  static MemoryUnits parse(String unit, String scale) {
    String u = unit == null ? "m" : unit;
    int s = 2;
    if (scale != null) {
      try {
        double d = Double.parseDouble(scale.trim());
        if (d < 0 || Double.isNaN(d)) {
          throw new NumberFormatException();
        }
        s = (int) Math.floor(d);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("scale must be equal or greater than 0");
      }
    }
    if (!u.isEmpty() && !"bkmg".contains(u.toLowerCase(Locale.ROOT)) || u.length() > 1) {
      throw new IllegalArgumentException("invalid unit '" + u + "' (expected 'k/K', 'm/M', or 'g/G')");
    }
    return new MemoryUnits(u.toLowerCase(Locale.ROOT), s);
  }

  String format(long bytes) {
    return switch (unit) {
      case "k" -> String.format(Locale.ROOT, "%." + scale + "f KiB", bytes / 1024.0);
      case "m" -> String.format(Locale.ROOT, "%." + scale + "f MiB", bytes / 1048576.0);
      case "g" -> String.format(Locale.ROOT, "%." + scale + "f GiB", bytes / 1073741824.0);
      default -> Long.toString(bytes);
    };
  }
}
