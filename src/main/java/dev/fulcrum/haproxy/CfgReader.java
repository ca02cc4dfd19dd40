package dev.fulcrum.haproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a haproxy.cfg into sections of words: {@code #} comments, single and double quotes,
 * backslash escapes and environment variables ({@code ${NAME}} or {@code $NAME}, not inside single
 * quotes), as HAProxy's tokenizer reads them (cfg §2.2-2.3).
 */
final class CfgReader {
  /** One configuration line. */
  record Line(String file, int number, List<String> words) {
    String where() {
      return file + ":" + number;
    }

    String word(int i) {
      return i < words.size() ? words.get(i) : "";
    }

    int size() {
      return words.size();
    }
  }

  /** A section ({@code global}, {@code defaults}, {@code frontend x}, ...) and its lines. */
  record Section(Line header, String type, String name, List<Line> lines) {}

  static final List<String> PROXY_SECTIONS = List.of("defaults", "frontend", "backend", "listen");
  static final List<String> OTHER_SECTIONS =
      List.of("userlist", "peers", "resolvers", "mailers", "cache", "program", "http-errors", "ring",
          "log-forward", "fcgi-app", "crt-store", "traces");

  private CfgReader() {}

  static List<Section> read(Path file) {
    return read(file, System.getenv());
  }

  static List<Section> read(Path file, java.util.Map<String, String> env) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CfgException("cannot read " + file + ": " + e.getMessage());
    }
    List<Section> sections = new ArrayList<>();
    Section current = null;
    for (int i = 0; i < lines.size(); i++) {
      Line line = new Line(file.toString(), i + 1, words(file.toString(), i + 1, lines.get(i), env));
      if (line.words().isEmpty()) {
        continue;
      }
      String first = line.word(0);
      if (first.equals("global") || PROXY_SECTIONS.contains(first) || OTHER_SECTIONS.contains(first)) {
        current = new Section(line, first, line.size() > 1 ? line.word(1) : null, new ArrayList<>());
        sections.add(current);
        continue;
      }
      if (current == null) {
        throw new CfgException(line.where() + ": unknown keyword '" + first + "' out of section");
      }
      current.lines().add(line);
    }
    return sections;
  }

  static List<String> words(String file, int number, String text, java.util.Map<String, String> env) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < text.length()) {
          cur.append(text.charAt(++i));
        } else if (c == '$' && quote == '"') {
          i = variable(text, i, cur, env);
        } else {
          cur.append(c);
        }
        continue;
      }
      if (c == '#') {
        break;
      }
      if (c == ' ' || c == '\t') {
        if (cur != null) {
          out.add(cur.toString());
          cur = null;
        }
        continue;
      }
      if (cur == null) {
        cur = new StringBuilder();
      }
      if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '\\' && i + 1 < text.length()) {
        cur.append(text.charAt(++i));
      } else if (c == '$') {
        i = variable(text, i, cur, env);
      } else {
        cur.append(c);
      }
    }
    if (quote != 0) {
      throw new CfgException(file + ":" + number + ": unmatched quote");
    }
    if (cur != null) {
      out.add(cur.toString());
    }
    return out;
  }

  /**
   * Expands {@code ${NAME}} or {@code $NAME} starting at {@code at} (an unset variable is empty);
   * a {@code $} not followed by a name stays as it is. Returns the index of the last character used.
   */
  private static int variable(String text, int at, StringBuilder out, java.util.Map<String, String> env) {
    int i = at + 1;
    boolean braced = i < text.length() && text.charAt(i) == '{';
    int start = braced ? i + 1 : i;
    int end = start;
    while (end < text.length() && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
      end++;
    }
    if (end == start || (braced && (end >= text.length() || text.charAt(end) != '}'))) {
      out.append('$');
      return at;
    }
    String value = env.get(text.substring(start, end));
    if (value != null) {
      out.append(value);
    }
    return braced ? end : end - 1;
  }
}
