package dev.fulcrum.plugin.cors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.StepContext;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Kong's cors (the Fetch standard's CORS protocol): a preflight (OPTIONS with Origin and
 * Access-Control-Request-Method) is answered here with 200 and the Access-Control-Allow-*
 * headers, or passed to the server untouched with {@code preflight_continue}; every other
 * response of its scope, the gateway's own answers included, gets Access-Control-Allow-Origin
 * (see {@link AllowedOrigins}), -Allow-Credentials and -Expose-Headers.
 */
public final class Cors implements HttpStep {
  public static final int PRIORITY = 2000;

  private static final String DEFAULT_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT";
  /** Marks a preflight the server answers: its response is left as the server made it. */
  private static final Object SERVER_PREFLIGHT = new Object();

  private final AllowedOrigins origins;
  private final String allowHeaders;
  private final String exposedHeaders;
  private final String allowMethods;
  private final String maxAge;
  private final boolean credentials;
  private final boolean privateNetwork;
  private final boolean preflightContinue;
  private final boolean allowOriginAbsent;

  public Cors(ObjectNode config) {
    this.origins = new AllowedOrigins(strings(config.get("origins")));
    this.allowHeaders = joined(config.get("headers"));
    this.exposedHeaders = joined(config.get("exposed_headers"));
    JsonNode methods = config.get("methods");
    this.allowMethods = methods == null || methods.isNull() ? DEFAULT_METHODS : String.join(",", strings(methods));
    JsonNode age = config.get("max_age");
    this.maxAge = age == null || age.isNull() ? null : number(age.asDouble());
    this.credentials = config.path("credentials").asBoolean(false);
    this.privateNetwork = config.path("private_network").asBoolean(false);
    this.preflightContinue = config.path("preflight_continue").asBoolean(false);
    this.allowOriginAbsent = config.path("allow_origin_absent").asBoolean(true);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  /** The list joined by commas, or null when it is missing or empty. */
  private static String joined(JsonNode array) {
    List<String> values = strings(array);
    return values.isEmpty() ? null : String.join(",", values);
  }

  /** As Lua prints a number: whole numbers without a fraction. */
  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static boolean given(String origin) {
    return origin != null && !origin.isEmpty();
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    HttpHeaders request = ctx.request().headers();
    String origin = request.get(HttpHeaderNames.ORIGIN);
    boolean preflight = ctx.request().method().equals(HttpMethod.OPTIONS) && given(origin)
        && request.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    if (!preflight) {
      // A 401 of an authentication step or a 502 needs the headers as much as a 200 does.
      ctx.alsoOnLocalAnswers(this);
      return Flow.CONTINUE;
    }
    if (preflightContinue) {
      ctx.attach(this, SERVER_PREFLIGHT);
      return Flow.CONTINUE;
    }
    FullHttpResponse answer =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    HttpHeaders h = answer.headers();
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    boolean allowAll = allowOrigin(h, origin, false);
    allowCredentials(h, allowAll, origin, false);
    if (allowHeaders != null) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
    } else if (request.contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS)) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, request.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
    }
    h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allowMethods);
    if (maxAge != null) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
    }
    // Private Network Access (a WICG draft): only when the browser asks.
    if (privateNetwork && "true".equals(request.get("Access-Control-Request-Private-Network"))) {
      h.set("Access-Control-Allow-Private-Network", "true");
    }
    ctx.respond(LocalResponse.full(answer));
    return Flow.STOP;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    if (ctx.attachment(this) == SERVER_PREFLIGHT) {
      return;
    }
    String origin = ctx.request().headers().get(HttpHeaderNames.ORIGIN);
    if (!given(origin) && !allowOriginAbsent) {
      return;
    }
    HttpHeaders h = response.headers();
    boolean allowAll = allowOrigin(h, origin, true);
    allowCredentials(h, allowAll, origin, true);
    if (exposedHeaders != null) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposedHeaders);
    }
  }

  /** Sets (or removes the server's) Access-Control-Allow-Origin; true when all origins may read. */
  private boolean allowOrigin(HttpHeaders h, String origin, boolean onResponse) {
    AllowedOrigins.Decision d = origins.decide(origin);
    if (d.vary()) {
      vary(h, onResponse);
    }
    if (d.allowOrigin() != null) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, d.allowOrigin());
    } else {
      h.remove(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN);
    }
    return d.allowAll();
  }

  /**
   * With credentials, a browser refuses {@code *}: the request's own Origin is sent back instead
   * (Fetch standard, CORS check).
   */
  private void allowCredentials(HttpHeaders h, boolean allowAll, String origin, boolean onResponse) {
    if (!credentials) {
      return;
    }
    if (!allowAll) {
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    } else if (given(origin)) {
      vary(h, onResponse);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
  }

  /** Vary: Origin, added to whatever Vary the server sent (caches key on both). */
  private static void vary(HttpHeaders h, boolean onResponse) {
    if (onResponse) {
      h.add(HttpHeaderNames.VARY, "Origin");
    } else {
      h.set(HttpHeaderNames.VARY, "Origin");
    }
  }
}
