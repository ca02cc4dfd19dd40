package dev.fulcrum.plugin.requesttransformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.PathNormalizer;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Kong's request-transformer on the request head, in Kong's order: the path ({@code replace.uri}),
 * the method, the headers, then the query string; within headers and query string the operations
 * go remove, rename, replace, add, append. The Host header is left alone: the gateway sets it
 * for the chosen target. Body operations are refused by the schema.
 */
public final class RequestTransformer implements HttpStep {
  public static final int PRIORITY = 801;

  private final HttpMethod method;
  private final String uri;
  private final Ops headers;
  private final Ops query;

  /** One target's lists of each operation, in Kong's order of application. */
  private record Ops(List<Pair> remove, List<Pair> rename, List<Pair> replace, List<Pair> add, List<Pair> append) {
    static Ops of(ObjectNode config, String target) {
      return new Ops(list(config, "remove", target), list(config, "rename", target), list(config, "replace", target),
          list(config, "add", target), list(config, "append", target));
    }

    private static List<Pair> list(ObjectNode config, String op, String target) {
      return Pair.list(config.path(op).get(target));
    }

    boolean isEmpty() {
      return remove.isEmpty() && rename.isEmpty() && replace.isEmpty() && add.isEmpty() && append.isEmpty();
    }
  }

  public RequestTransformer(ObjectNode config) {
    JsonNode m = config.get("http_method");
    this.method = m == null || m.isNull() ? null : HttpMethod.valueOf(m.asText().toUpperCase(Locale.ROOT));
    JsonNode u = config.path("replace").get("uri");
    this.uri = u == null || u.isNull() ? null : u.asText();
    this.headers = Ops.of(config, "headers");
    this.query = Ops.of(config, "querystring");
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    HttpRequest req = ctx.request();
    if (uri != null) {
      if (!uri.startsWith("/")) {
        // kong.service.request.set_path refuses such a path: Kong answers 500, as a failed step does here.
        throw new IllegalStateException("request-transformer: path must start with /: " + uri);
      }
      String q = rawQuery(req.uri());
      req.setUri(PathNormalizer.escape(uri) + (q == null ? "" : "?" + q));
    }
    if (method != null) {
      req.setMethod(method);
    }
    transformHeaders(req.headers());
    if (!query.isEmpty()) {
      transformQuery(req);
    }
    return Flow.CONTINUE;
  }

  private static boolean isHost(String name) {
    return HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
  }

  private void transformHeaders(HttpHeaders h) {
    for (Pair p : headers.remove) {
      if (!isHost(p.name())) {
        h.remove(p.name());
      }
    }
    for (Pair p : headers.rename) {
      if (!isHost(p.name()) && h.contains(p.name())) {
        List<String> values = h.getAll(p.name());
        h.remove(p.name());
        h.set(p.value().toLowerCase(Locale.ROOT), values);
      }
    }
    for (Pair p : headers.replace) {
      if (!isHost(p.name()) && h.contains(p.name())) {
        h.set(p.name(), p.value());
      }
    }
    for (Pair p : headers.add) {
      if (!isHost(p.name()) && !h.contains(p.name())) {
        h.set(p.name(), p.value());
      }
    }
    for (Pair p : headers.append) {
      if (!isHost(p.name())) {
        h.add(p.name(), p.value());
      }
    }
  }

  private void transformQuery(HttpRequest req) {
    String path = pathOf(req.uri());
    Map<String, List<String>> args = Query.decode(rawQuery(req.uri()));
    for (Pair p : query.remove) {
      args.remove(p.name());
    }
    for (Pair p : query.rename) {
      List<String> values = args.remove(p.name());
      // Kong moves whatever is there, nothing included: the new name is then gone too.
      if (values != null) {
        args.put(p.value(), values);
      } else {
        args.remove(p.value());
      }
    }
    for (Pair p : query.replace) {
      if (args.containsKey(p.name())) {
        args.put(p.name(), one(p.value()));
      }
    }
    for (Pair p : query.add) {
      if (!args.containsKey(p.name())) {
        args.put(p.name(), one(p.value()));
      }
    }
    for (Pair p : query.append) {
      args.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p.value());
    }
    String encoded = Query.encode(args);
    req.setUri(encoded.isEmpty() ? path : path + "?" + encoded);
  }

  private static List<String> one(String value) {
    List<String> l = new ArrayList<>();
    l.add(value);
    return l;
  }

  private static String pathOf(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private static String rawQuery(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }
}
