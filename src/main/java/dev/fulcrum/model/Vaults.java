package dev.fulcrum.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Kong's secret references, {@code {vault://<vault>/<name>[/<key>]}}: the value of an environment
 * variable (the {@code env} vault, or a vault entity of name env and its {@code config.prefix}),
 * upper-cased with dashes as underscores; with a key, the variable holds JSON and the reference
 * names one of its fields.
 */
public final class Vaults {
  private final Map<String, String> environment;
  /** config.prefix of each env vault entity, by the entity's prefix. */
  private final Map<String, String> prefixes;

  /**
   * @param environment the variables, as the node saw them when it started
   * @param prefixes the env vault entities: their config.prefix by their own prefix
   */
  public Vaults(Map<String, String> environment, Map<String, String> prefixes) {
    this.environment = environment;
    this.prefixes = prefixes;
  }

  public static boolean isReference(String value) {
    return value != null && value.startsWith("{vault://") && value.endsWith("}");
  }

  /** A copy of {@code config} with every reference replaced by its value. */
  public ObjectNode resolve(ObjectNode config) {
    return (ObjectNode) resolveNode(config.deepCopy());
  }

  private JsonNode resolveNode(JsonNode node) {
    if (node instanceof ObjectNode o) {
      o.fieldNames().forEachRemaining(k -> o.set(k, resolveNode(o.get(k))));
      return o;
    }
    if (node instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        a.set(i, resolveNode(a.get(i)));
      }
      return a;
    }
    if (node != null && node.isTextual() && isReference(node.asText())) {
      return Json.NODES.textNode(value(node.asText()));
    }
    return node;
  }

  /** The value of one reference; a reference that cannot be read is an error naming it. */
  public String value(String reference) {
    URI uri;
    try {
      uri = URI.create(reference.substring(1, reference.length() - 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid vault reference " + reference);
    }
    String vault = uri.getHost();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    String prefix;
    if ("env".equals(vault)) {
      prefix = "";
    } else if (vault != null && prefixes.containsKey(vault)) {
      prefix = prefixes.get(vault) == null ? "" : prefixes.get(vault);
    } else {
      throw new IllegalArgumentException("vault not found (" + vault + ") for reference " + reference);
    }
    String resource = path;
    String key = null;
    int slash = path.lastIndexOf('/');
    if (slash > 0) {
      resource = path.substring(0, slash);
      key = path.substring(slash + 1);
    }
    String name = (prefix + resource).toUpperCase(Locale.ROOT).replace('-', '_');
    String value = environment.get(name);
    if (value == null) {
      throw new IllegalArgumentException("could not get value from external vault (no value found (" + name + "))");
    }
    if (key == null) {
      return value;
    }
    JsonNode json;
    try {
      json = Json.parse(value);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("could not decode secret " + name + " as JSON for reference " + reference);
    }
    String field = Json.text(json, key);
    if (field == null) {
      throw new IllegalArgumentException("subfield " + key + " not found in JSON secret");
    }
    return field;
  }
}
