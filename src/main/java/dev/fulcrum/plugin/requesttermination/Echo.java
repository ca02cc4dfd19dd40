package dev.fulcrum.plugin.requesttermination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What request-termination's {@code echo} tells about a request, in the shape of Kong's answer:
 * the message, and under {@code request} the scheme, host, port, headers, query arguments, method
 * and path. A debugging aid, made only for the requests it answers.
 */
final class Echo {
  private Echo() {}

  /** Whether the request carries {@code trigger} as a header or a query argument (any value). */
  static boolean triggered(StepContext ctx, String trigger) {
    if (ctx.request().headers().contains(trigger)) {
      return true;
    }
    String query = query(ctx.facts().uri());
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (trigger.equals(decode(eq < 0 ? pair : pair.substring(0, eq)))) {
        return true;
      }
    }
    return false;
  }

  static ObjectNode describe(StepContext ctx, String message) {
    ObjectNode out = Json.object();
    if (message != null) {
      out.put("message", message);
    }
    ObjectNode request = out.putObject("request");
    // Only plain HTTP reaches a Kong route here: TLS is not terminated on the proxy port.
    request.put("scheme", "http");
    request.put("host", host(ctx.request().headers().get(HttpHeaderNames.HOST)));
    request.put("port", ctx.facts().local().getPort());
    request.set("headers", headers(ctx));
    request.set("query", arguments(query(ctx.facts().uri())));
    request.put("method", ctx.facts().method());
    request.put("path", ctx.facts().rawPath());
    return out;
  }

  /** Names lowercased, as Kong's get_headers gives them; a repeated header becomes a list. */
  private static ObjectNode headers(StepContext ctx) {
    ObjectNode out = Json.object();
    for (Map.Entry<String, String> h : ctx.request().headers()) {
      add(out, h.getKey().toLowerCase(Locale.ROOT), Json.NODES.textNode(h.getValue()));
    }
    return out;
  }

  /** Kong's get_query: decoded, an argument without {@code =} is {@code true}, repeats a list. */
  private static ObjectNode arguments(String query) {
    ObjectNode out = Json.object();
    if (query == null) {
      return out;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      JsonNode value = eq < 0 ? Json.NODES.booleanNode(true) : Json.NODES.textNode(decode(pair.substring(eq + 1)));
      add(out, decode(eq < 0 ? pair : pair.substring(0, eq)), value);
    }
    return out;
  }

  private static void add(ObjectNode out, String name, JsonNode value) {
    JsonNode old = out.get(name);
    if (old == null) {
      out.set(name, value);
    } else if (old.isArray()) {
      ((ArrayNode) old).add(value);
    } else {
      ArrayNode list = out.putArray(name);
      list.add(old);
      list.add(value);
    }
  }

  private static String query(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  private static String decode(String s) {
    return QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8);
  }

  /** nginx's $host: the Host header without its port, lowercased. */
  private static String host(String hostHeader) {
    if (hostHeader == null) {
      return "";
    }
    int colon = hostHeader.lastIndexOf(':');
    String host = colon > 0 && hostHeader.indexOf(']', colon) < 0 ? hostHeader.substring(0, colon) : hostHeader;
    return host.toLowerCase(Locale.ROOT);
  }
}
