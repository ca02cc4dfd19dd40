package dev.fulcrum.plugin.ratelimiting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Kong's rate-limiting: fixed calendar windows (UTC) per period, a
 * count per identifier (consumer, credential, ip, service, header or path), {@code
 * X-RateLimit-*} and {@code RateLimit-*} headers, and the configured error (429 by default) once a
 * window's limit is reached. A refused request is not counted. The counts are this node's
 * ({@code local}) or shared ({@link Counts}); a policy that cannot answer lets the request through
 * ({@code fault_tolerant}) or answers 500.
 */
public final class RateLimiting implements HttpStep {
  public static final int PRIORITY = 910;
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiting.class);

  /** The periods, shortest first, with the window lengths Kong's headers use (seconds). */
  private static final String[] PERIODS = {"second", "minute", "hour", "day", "month", "year"};
  private static final String[] NAMES = {"Second", "Minute", "Hour", "Day", "Month", "Year"};
  private static final long[] WINDOW_SECONDS = {1, 60, 3600, 86400, 2592000, 31536000};
  private static final String NO_ID = "00000000-0000-0000-0000-000000000000";

  private final double[] limits = new double[PERIODS.length];
  private final String limitBy;
  private final String headerName;
  private final String path;
  private final boolean hideClientHeaders;
  private final int errorCode;
  private final String errorMessage;
  /** Kong's key prefix: the route and service the plugin is attached to. */
  private final String scope;
  private final boolean faultTolerant;
  private final Counts counts;

  /** @param counts where the configured policy keeps its counts */
  public RateLimiting(ObjectNode config, String routeId, String serviceId, Counts counts) {
    for (int i = 0; i < PERIODS.length; i++) {
      JsonNode v = config.get(PERIODS[i]);
      limits[i] = v == null || v.isNull() ? -1 : v.asDouble();
    }
    this.limitBy = config.path("limit_by").asText("consumer");
    this.headerName = text(config, "header_name");
    this.path = text(config, "path");
    this.hideClientHeaders = config.path("hide_client_headers").asBoolean(false);
    this.errorCode = config.path("error_code").asInt(429);
    this.errorMessage = config.path("error_message").asText("API rate limit exceeded");
    this.scope = (routeId == null ? NO_ID : routeId) + ":" + (serviceId == null ? NO_ID : serviceId) + ":";
    this.faultTolerant = config.path("fault_tolerant").asBoolean(true);
    this.counts = counts;
  }

  private static String text(ObjectNode config, String field) {
    JsonNode v = config.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    long now = System.currentTimeMillis();
    String id = identifier(ctx);
    long[] starts = new long[PERIODS.length];
    String[] keys = new String[PERIODS.length];
    for (int i = 0; i < PERIODS.length; i++) {
      if (limits[i] >= 0) {
        starts[i] = windowStart(i, now);
        keys[i] = "ratelimit:" + scope + id + ":" + starts[i] + ":" + PERIODS[i];
      }
    }
    CompletableFuture<long[]> usage = usage(keys);
    if (usage.isDone()) {
      return decide(ctx, now, starts, keys, usage);
    }
    // A shared policy: the exchange waits, its event loop does not.
    usage.whenComplete((u, e) -> ctx.loop().execute(() -> {
      if (decide(ctx, now, starts, keys, usage) == Flow.CONTINUE) {
        ctx.resume();
      }
    }));
    return Flow.PAUSE;
  }

  private CompletableFuture<long[]> usage(String[] keys) {
    try {
      return counts.get(keys).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Counts this request or refuses it, once the usage of its windows is known. */
  private Flow decide(StepContext ctx, long now, long[] starts, String[] keys, CompletableFuture<long[]> usage) {
    long[] used;
    try {
      used = usage.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (faultTolerant) {
        LOG.warn("rate-limiting: cannot read the counts, request let through: {}", cause.toString());
        return Flow.CONTINUE;
      }
      LOG.error("rate-limiting: cannot read the counts: {}", cause.toString());
      ctx.error(500, "An unexpected error occurred", null);
      return Flow.STOP;
    }
    HttpHeaders headers = hideClientHeaders ? null : new DefaultHttpHeaders();
    int exceeded = -1;
    int tightest = -1;
    double tightestRemaining = Double.MAX_VALUE;
    double[] remaining = new double[PERIODS.length];
    for (int i = 0; i < PERIODS.length; i++) {
      if (limits[i] < 0) {
        continue;
      }
      remaining[i] = limits[i] - used[i];
      if (remaining[i] <= 0 && exceeded < 0) {
        exceeded = i;
      }
      // The most restrictive window: least remaining; on a tie, the longer one.
      if (remaining[i] <= tightestRemaining) {
        tightestRemaining = remaining[i];
        tightest = i;
      }
    }
    long reset = Math.max(1, WINDOW_SECONDS[tightest] - (now - starts[tightest]) / 1000);
    if (headers != null) {
      for (int i = 0; i < PERIODS.length; i++) {
        if (limits[i] < 0) {
          continue;
        }
        // This request counts against each window, unless it is refused.
        double left = exceeded >= 0 ? remaining[i] : remaining[i] - 1;
        headers.set("X-RateLimit-Limit-" + NAMES[i], number(limits[i]));
        headers.set("X-RateLimit-Remaining-" + NAMES[i], number(Math.max(0, left)));
      }
      double left = exceeded >= 0 ? remaining[tightest] : remaining[tightest] - 1;
      headers.set("RateLimit-Limit", number(limits[tightest]));
      headers.set("RateLimit-Remaining", number(Math.max(0, left)));
      headers.set("RateLimit-Reset", Long.toString(reset));
    }
    if (exceeded >= 0) {
      HttpHeaders h = headers == null ? new DefaultHttpHeaders() : headers;
      h.set("Retry-After", Long.toString(reset));
      ctx.error(errorCode, errorMessage, h);
      return Flow.STOP;
    }
    long[] expires = new long[PERIODS.length];
    for (int i = 0; i < PERIODS.length; i++) {
      if (keys[i] != null) {
        expires[i] = windowEnd(i, starts[i]);
      }
    }
    counts.increment(keys, expires, now);
    if (headers != null) {
      ctx.attach(this, headers);
    }
    return Flow.CONTINUE;
  }

  @Override
  public void onResponse(StepContext ctx, HttpResponse response) {
    Object headers = ctx.attachment(this);
    if (headers != null) {
      // One by one: HttpHeaders.set(HttpHeaders) would first clear the response's own headers.
      for (java.util.Map.Entry<String, String> h : (HttpHeaders) headers) {
        response.headers().set(h.getKey(), h.getValue());
      }
    }
  }

  /** Who is counted; the client address when the configured identity is missing, as in Kong. */
  private String identifier(StepContext ctx) {
    String id = switch (limitBy) {
      case "consumer" -> ctx.consumer() != null ? ctx.consumer().id() : ctx.credentialId();
      case "credential" -> ctx.credentialId();
      case "service" -> ctx.serviceId();
      case "header" -> headerName == null ? null : ctx.request().headers().get(headerName);
      case "path" -> path != null && path.equals(new QueryStringDecoder(ctx.facts().uri()).rawPath()) ? path : null;
      default -> null;
    };
    return id != null ? id : ctx.clientIp();
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  /** The start of the calendar window (UTC) of period {@code i} containing {@code now}. */
  static long windowStart(int i, long now) {
    if (i <= 3) {
      long len = WINDOW_SECONDS[i] * 1000;
      return now - Math.floorMod(now, len);
    }
    ZonedDateTime t = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalDate().atStartOfDay(ZoneOffset.UTC);
    t = i == 4 ? t.withDayOfMonth(1) : t.withDayOfYear(1);
    return t.toInstant().toEpochMilli();
  }

  private static long windowEnd(int i, long start) {
    if (i <= 3) {
      return start + WINDOW_SECONDS[i] * 1000;
    }
    ZonedDateTime t = Instant.ofEpochMilli(start).atZone(ZoneOffset.UTC);
    return (i == 4 ? t.plusMonths(1) : t.plusYears(1)).toInstant().toEpochMilli();
  }
}
