package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Json;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request bodies as Kong's Admin API reads them (kong/api/api_helpers.lua, arguments.lua,
 * arguments_decoder.lua): JSON as is; form-urlencoded and multipart decoded into a tree where
 * {@code a.b=x} nests, {@code a[]=x} and repeated keys make arrays, {@code a[1]=x} indexes and an
 * empty value means null. Form values stay strings until inferred against the entity schema.
 */
final class Bodies {
  static final int MAX_ARGS = 1000;
  private static final java.util.regex.Pattern STRAY_PERCENT = java.util.regex.Pattern.compile("%(?![0-9a-fA-F]{2})");

  private Bodies() {}

  /** The arguments of a body and whether they came from a form. */
  record Decoded(ObjectNode args, boolean form) {}

  static Decoded decode(AdminRequest req) {
    List<String> types = req.headers().getAll(HttpHeaderNames.CONTENT_TYPE);
    if (types.size() > 1) {
      throw new AdminException(AdminResponse.text(400, "Multiple Content-Type headers not allowed"));
    }
    byte[] body = req.body();
    if (types.isEmpty()) {
      if (body.length == 0) {
        return new Decoded(Json.object(), false);
      }
      throw new AdminException(AdminResponse.empty(415));
    }
    String type = types.get(0).toLowerCase(Locale.ROOT).trim();
    if (type.startsWith("application/json")) {
      if (body.length == 0) {
        return new Decoded(Json.object(), false);
      }
      try {
        JsonNode node = Json.parse(body);
        if (node == null || !node.isObject()) {
          throw new AdminException(AdminResponse.message(400, "Cannot parse JSON body"));
        }
        return new Decoded((ObjectNode) node, false);
      } catch (IOException e) {
        throw new AdminException(AdminResponse.message(400, "Cannot parse JSON body"));
      }
    }
    if (type.startsWith("application/x-www-form-urlencoded")) {
      // A % that starts no escape stays a %, as nginx's decode_args leaves it (Netty would throw).
      String text = STRAY_PERCENT.matcher(new String(body, StandardCharsets.UTF_8)).replaceAll("%25");
      QueryStringDecoder d = new QueryStringDecoder(text, StandardCharsets.UTF_8, false, MAX_ARGS + 1);
      return new Decoded(fromPairs(pairs(d.parameters())), true);
    }
    if (type.startsWith("multipart/form-data")) {
      if (!type.contains("boundary=")) {
        // Netty would read it as a urlencoded form, and leaks a buffer when that fails.
        throw new AdminException(AdminResponse.message(400, "Cannot parse multipart body"));
      }
      return new Decoded(fromPairs(multipart(req)), true);
    }
    throw new AdminException(AdminResponse.empty(415));
  }

  static List<String[]> pairs(Map<String, List<String>> params) {
    List<String[]> out = new ArrayList<>();
    params.forEach((k, vs) -> vs.forEach(v -> out.add(new String[] {k, v})));
    return out;
  }

  private static List<String[]> multipart(AdminRequest req) {
    DefaultFullHttpRequest full =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.valueOf(req.method()), req.path(), Unpooled.wrappedBuffer(req.body()));
    full.headers().set(req.headers());
    HttpPostRequestDecoder decoder = null;
    try {
      decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), full, StandardCharsets.UTF_8);
      List<String[]> out = new ArrayList<>();
      for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
        if (data instanceof Attribute) {
          out.add(new String[] {data.getName(), ((Attribute) data).getValue()});
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new AdminException(AdminResponse.message(400, "Cannot parse multipart body"));
    } finally {
      if (decoder != null) {
        decoder.destroy();
      }
      full.release();
    }
  }

  /** Builds the argument tree from key/value pairs. */
  static ObjectNode fromPairs(List<String[]> pairs) {
    if (pairs.size() > MAX_ARGS) {
      throw new AdminException(AdminResponse.message(400, "Too many arguments"));
    }
    ObjectNode root = Json.object();
    for (String[] p : pairs) {
      put(root, keyPath(p[0].replace("%5B", "[").replace("%5D", "]")), p[1]);
    }
    return root;
  }

  /** {@code a.b[]} becomes ["a", "b", ""]; {@code a[x].y} becomes ["a", "x", "y"]. */
  static List<String> keyPath(String key) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int i = 0;
    while (i < key.length()) {
      char c = key.charAt(i);
      if (c == '.') {
        parts.add(cur.toString());
        cur.setLength(0);
        i++;
      } else if (c == '[') {
        int close = key.indexOf(']', i);
        if (close < 0) {
          cur.append(key, i, key.length());
          break;
        }
        if (cur.length() > 0 || parts.isEmpty()) {
          parts.add(cur.toString());
          cur.setLength(0);
        }
        parts.add(key.substring(i + 1, close));
        i = close + 1;
        if (i < key.length() && key.charAt(i) == '.') {
          i++;
        }
        if (i >= key.length()) {
          return parts;
        }
        continue;
      } else {
        cur.append(c);
        i++;
      }
    }
    parts.add(cur.toString());
    return parts;
  }

  private static void put(ObjectNode root, List<String> path, String value) {
    JsonNode leaf = value.isEmpty() ? Json.NODES.nullNode() : Json.NODES.textNode(value);
    ObjectNode node = root;
    for (int i = 0; i < path.size() - 1; i++) {
      String part = path.get(i);
      String next = path.get(i + 1);
      if (next.isEmpty() && i + 1 == path.size() - 1) {
        // a[]=x appends
        JsonNode existing = node.get(part);
        ArrayNode arr;
        if (existing instanceof ArrayNode) {
          arr = (ArrayNode) existing;
        } else {
          arr = node.putArray(part);
          if (existing != null && !existing.isNull() && !existing.isObject()) {
            arr.add(existing);
          }
        }
        arr.add(leaf);
        return;
      }
      JsonNode child = node.get(part);
      if (!(child instanceof ObjectNode)) {
        child = node.putObject(part);
      }
      node = (ObjectNode) child;
    }
    String last = path.get(path.size() - 1);
    JsonNode existing = node.get(last);
    if (existing == null) {
      node.set(last, leaf);
    } else if (existing instanceof ArrayNode) {
      ((ArrayNode) existing).add(leaf);
    } else {
      ArrayNode arr = Json.array();
      arr.add(existing);
      arr.add(leaf);
      node.set(last, arr);
    }
  }
}
