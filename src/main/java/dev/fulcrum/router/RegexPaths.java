package dev.fulcrum.router;

/**
 * The literal text every match of a regex path starts with, so the router can file the regex
 * under that prefix and evaluate it only for requests whose path starts with it (instead of
 * trying every regex on every request). Conservative: the prefix stops at the first character
 * that is not plainly literal, drops a character a quantifier may repeat zero times, and is empty
 * when the regex has a top-level alternation.
 */
final class RegexPaths {
  private RegexPaths() {}

  static String literalPrefix(String regex) {
    if (topLevelAlternation(regex)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < regex.length()) {
      char c = regex.charAt(i);
      char literal;
      int next;
      if (c == '\\') {
        if (i + 1 >= regex.length()) {
          break;
        }
        char e = regex.charAt(i + 1);
        // \/ \. \- ... are the character itself; \d, \Q, \1 and the like are not plain text.
        if (Character.isLetterOrDigit(e)) {
          break;
        }
        literal = e;
        next = i + 2;
      } else if ("^$.|?*+()[]{}".indexOf(c) >= 0) {
        break;
      } else {
        literal = c;
        next = i + 1;
      }
      if (next < regex.length() && "?*{".indexOf(regex.charAt(next)) >= 0) {
        // The character may be absent (x?, x*, x{0,n}): the prefix ends before it.
        break;
      }
      out.append(literal);
      i = next;
      if (i < regex.length() && regex.charAt(i) == '+') {
        // x+: one x is certain, what follows is not.
        break;
      }
    }
    return out.toString();
  }

  /** Whether a {@code |} splits the whole regex (outside groups and character classes). */
  private static boolean topLevelAlternation(String regex) {
    int depth = 0;
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (inClass) {
        if (c == ']') {
          inClass = false;
        }
      } else if (c == '[') {
        inClass = true;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '|' && depth == 0) {
        return true;
      }
    }
    return false;
  }
}
