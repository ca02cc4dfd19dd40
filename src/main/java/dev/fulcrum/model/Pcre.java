package dev.fulcrum.model;

import java.util.regex.Pattern;

/**
 * Kong's route regexes are PCRE: the Python-style named groups PCRE accepts ({@code (?P<name>...)}
 * and the back reference {@code (?P=name)}) are written the Java way before compiling.
 */
public final class Pcre {
  private Pcre() {}

  public static String toJava(String regex) {
    if (!regex.contains("(?P")) {
      return regex;
    }
    return regex.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
  }

  public static Pattern compile(String regex) {
    return Pattern.compile(toJava(regex));
  }
}
