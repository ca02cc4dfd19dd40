package dev.fulcrum.plugin.responsetransformer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import dev.fulcrum.plugin.requesttransformer.Pair;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * Kong's response-transformer on the response headers (its header_filter), in Kong's order:
 * remove, rename, replace, add, append. As in Kong, rename, replace and add test the headers as
 * they came, before this step changed any. It also runs on the gateway's own answers, as Kong
 * runs header_filter on them. JSON body operations are refused by the schema.
 */
public final class ResponseTransformer implements HttpStep {
  public static final int PRIORITY = 800;

  private final List<Pair> remove;
  private final List<Pair> rename;
  private final List<Pair> replace;
  private final List<Pair> add;
  private final List<Pair> append;

  public ResponseTransformer(ObjectNode config) {
    this.remove = headers(config, "remove");
    this.rename = headers(config, "rename");
    this.replace = headers(config, "replace");
    this.add = headers(config, "add");
    this.append = headers(config, "append");
  }

  private static List<Pair> headers(ObjectNode config, String op) {
    return Pair.list(config.path(op).get("headers"));
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    ctx.alsoOnLocalAnswers(this);
    return Flow.CONTINUE;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    HttpHeaders h = response.headers();
    // Kong reads kong.response.get_headers() once, before any change.
    HttpHeaders before = new DefaultHttpHeaders(false).set(h);
    for (Pair p : remove) {
      h.remove(p.name());
    }
    for (Pair p : rename) {
      if (before.contains(p.name()) && !p.value().isEmpty()) {
        h.set(p.value(), before.getAll(p.name()));
        h.remove(p.name());
      }
    }
    for (Pair p : replace) {
      if (before.contains(p.name()) && !p.value().isEmpty()) {
        h.set(p.name(), p.value());
      }
    }
    for (Pair p : add) {
      if (!before.contains(p.name()) && !p.value().isEmpty()) {
        h.set(p.name(), p.value());
      }
    }
    for (Pair p : append) {
      if (!p.value().isEmpty()) {
        h.add(p.name(), p.value());
      }
    }
  }
}
