package dev.fulcrum.plugin.requesttransformer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code "name:value"} entry of a transformer's configuration, split as Kong splits it
 * ({@code ^([^:]+):*(.-)$}: the name up to the first colon, the value after the colons that
 * follow; an entry without a colon is a name alone).
 */
public record Pair(String name, String value) {
  /** The entries of {@code list} (a JSON array of strings) that have a name. */
  public static List<Pair> list(JsonNode list) {
    List<Pair> out = new ArrayList<>();
    if (list == null || !list.isArray()) {
      return out;
    }
    for (JsonNode e : list) {
      Pair p = of(e.asText());
      if (p != null) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }

  /** The entry split, or null when it has no name (starts with a colon). */
  public static Pair of(String entry) {
    int colon = entry.indexOf(':');
    if (colon == 0 || entry.isEmpty()) {
      return null;
    }
    if (colon < 0) {
      return new Pair(entry, "");
    }
    int v = colon;
    while (v < entry.length() && entry.charAt(v) == ':') {
      v++;
    }
    return new Pair(entry.substring(0, colon), entry.substring(v));
  }
}
