package dev.fulcrum.plugin.proxycache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.BodyObserver;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.LocalResponse;
import dev.fulcrum.plugin.StepContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Kong's proxy-cache with the {@code memory} strategy: a cacheable request is answered from the
 * node's store while its entry is fresh ({@code X-Cache-Status: Hit}, with {@code Age}); otherwise
 * it goes to the server ({@code Miss}, or {@code Refresh} for a stale entry) and a cacheable
 * response is stored as it is relayed. Requests and responses that may not be cached pass
 * ({@code Bypass}).
 */
public final class ProxyCache implements HttpStep {
  public static final int PRIORITY = 100;

  /** Headers never replayed from the store: hop-by-hop ones, and the rate-limit counts of the time. */
  private static final Set<String> NOT_REPLAYED = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade", "content-length", "age",
      "x-cache-status", "x-cache-key");

  private enum Status { MISS, REFRESH, BYPASS }

  private record Pending(String key, Status status) {}

  private final String pluginId;
  private final Set<Integer> responseCodes = new HashSet<>();
  private final Set<String> methods = new HashSet<>();
  private final List<MediaType> contentTypes = new ArrayList<>();
  private final long cacheTtl;
  private final Long storageTtl;
  private final boolean cacheControl;
  private final boolean ignoreUriCase;
  private final List<String> varyQuery;
  private final List<String> varyHeaders;
  private final boolean ageHeader;
  private final boolean statusHeader;
  private final boolean keyHeader;
  private final CacheStore store;

  public ProxyCache(String pluginId, ObjectNode config, CacheStore store) {
    this.pluginId = pluginId;
    config.path("response_code").forEach(c -> responseCodes.add(c.asInt()));
    config.path("request_method").forEach(m -> methods.add(m.asText()));
    config.path("content_type").forEach(t -> contentTypes.add(MediaType.parse(t.asText())));
    this.cacheTtl = config.path("cache_ttl").asLong(300);
    JsonNode storage = config.get("storage_ttl");
    this.storageTtl = storage == null || storage.isNull() ? null : storage.asLong();
    this.cacheControl = config.path("cache_control").asBoolean(false);
    this.ignoreUriCase = config.path("ignore_uri_case").asBoolean(false);
    this.varyQuery = strings(config.get("vary_query_params"));
    this.varyHeaders = strings(config.get("vary_headers"));
    JsonNode headers = config.path("response_headers");
    this.ageHeader = headers.path("age").asBoolean(true);
    this.statusHeader = headers.path("X-Cache-Status").asBoolean(true);
    this.keyHeader = headers.path("X-Cache-Key").asBoolean(true);
    this.store = store;
  }

  private static List<String> strings(JsonNode v) {
    if (v == null || !v.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    v.forEach(s -> out.add(s.asText()));
    return out;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    HttpRequest request = ctx.request();
    String method = request.method().name();
    if (!methods.contains(method)) {
      ctx.attach(this, new Pending(null, Status.BYPASS));
      return Flow.CONTINUE;
    }
    String cc = cacheControl ? request.headers().get(HttpHeaderNames.CACHE_CONTROL, "").toLowerCase(Locale.ROOT) : "";
    if (cacheControl && (cc.contains("no-store") || request.headers().contains(HttpHeaderNames.AUTHORIZATION))) {
      ctx.attach(this, new Pending(null, Status.BYPASS));
      return Flow.CONTINUE;
    }
    String key = key(ctx, method);
    long now = System.currentTimeMillis();
    CacheStore.Entry entry = store.get(key, now);
    boolean fresh = entry != null && entry.ageSeconds(now) < entry.ttlSeconds()
        && !(cacheControl && cc.contains("no-cache"));
    if (fresh) {
      ctx.respond(hit(entry, key, now));
      return Flow.STOP;
    }
    ctx.attach(this, new Pending(key, entry == null ? Status.MISS : Status.REFRESH));
    return Flow.CONTINUE;
  }

  private String key(StepContext ctx, String method) {
    String uri = ctx.facts().uri();
    // The query is decoded only for requests that have one.
    Map<String, List<String>> query = uri.indexOf('?') < 0 ? Map.of() : new QueryStringDecoder(uri).parameters();
    String requestLine = method + " " + (ignoreUriCase ? uri.toLowerCase(Locale.ROOT) : uri) + " HTTP/1.1";
    return CacheKey.of(ctx.consumer() == null ? null : ctx.consumer().id(), ctx.routeId(), method, requestLine,
        query, varyQuery, ctx.request().headers(), varyHeaders);
  }

  private LocalResponse hit(CacheStore.Entry entry, String key, long now) {
    FullHttpResponse r = new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(entry.status()), Unpooled.wrappedBuffer(entry.body()));
    HttpHeaders h = r.headers();
    for (Map.Entry<String, String> e : entry.headers()) {
      h.add(e.getKey(), e.getValue());
    }
    h.set(HttpHeaderNames.CONTENT_LENGTH, entry.body().length);
    if (statusHeader) {
      h.set("X-Cache-Status", "Hit");
    }
    if (keyHeader) {
      h.set("X-Cache-Key", key);
    }
    if (ageHeader) {
      h.set(HttpHeaderNames.AGE, entry.ageSeconds(now));
    }
    return LocalResponse.full(r);
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    if (!(ctx.attachment(this) instanceof Pending pending)) {
      return;
    }
    Status status = pending.status();
    if (status != Status.BYPASS) {
      Long ttl = ttl(response);
      if (ttl == null) {
        status = Status.BYPASS;
      } else {
        store(ctx, response, pending.key(), ttl);
      }
    }
    if (statusHeader) {
      response.headers().set("X-Cache-Status", status == Status.MISS ? "Miss" : status == Status.REFRESH ? "Refresh" : "Bypass");
    }
    if (keyHeader && pending.key() != null) {
      response.headers().set("X-Cache-Key", pending.key());
    }
  }

  /** How long the response stays fresh, or null when it may not be stored. */
  private Long ttl(HttpResponse response) {
    if (!responseCodes.contains(response.status().code())) {
      return null;
    }
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    MediaType actual = type == null ? null : MediaType.parse(type);
    if (actual == null || contentTypes.stream().noneMatch(allowed -> allowed.accepts(actual))) {
      return null;
    }
    if (!cacheControl) {
      return cacheTtl;
    }
    String cc = response.headers().get(HttpHeaderNames.CACHE_CONTROL, "").toLowerCase(Locale.ROOT);
    if (cc.contains("no-store") || cc.contains("no-cache") || cc.contains("private")) {
      return null;
    }
    Long maxAge = directive(cc, "s-maxage");
    if (maxAge == null) {
      maxAge = directive(cc, "max-age");
    }
    return maxAge != null ? maxAge : cacheTtl;
  }

  private static Long directive(String cacheControl, String name) {
    for (String part : cacheControl.split(",")) {
      String p = part.trim();
      if (p.startsWith(name + "=")) {
        try {
          return Long.parseLong(p.substring(name.length() + 1).trim());
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  /** Collects the body as it is relayed and stores the response once it is whole. */
  private void store(StepContext ctx, HttpResponse response, String key, long ttl) {
    int status = response.status().code();
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    for (Map.Entry<String, String> h : response.headers()) {
      if (!NOT_REPLAYED.contains(h.getKey().toLowerCase(Locale.ROOT))
          && !h.getKey().toLowerCase(Locale.ROOT).contains("ratelimit-remaining")) {
        headers.add(Map.entry(h.getKey(), h.getValue()));
      }
    }
    long keep = storageTtl != null ? storageTtl : ttl;
    ctx.observeResponseBody(new BodyObserver() {
      private ByteArrayOutputStream body = new ByteArrayOutputStream();

      @Override
      public void onContent(ByteBuf content) {
        if (body == null) {
          return;
        }
        if (body.size() + (long) content.readableBytes() > store.budget()) {
          body = null; // Larger than the whole store: not worth holding.
          return;
        }
        byte[] piece = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), piece);
        body.write(piece, 0, piece.length);
      }

      @Override
      public void onEnd() {
        if (body != null) {
          store.put(key, new CacheStore.Entry(pluginId, status, List.copyOf(headers), body.toByteArray(),
              System.currentTimeMillis(), ttl, keep));
        }
      }
    });
  }
}
