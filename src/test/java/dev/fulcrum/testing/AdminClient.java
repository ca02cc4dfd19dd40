package dev.fulcrum.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Calls the Admin API the way curl does in Kong's docs: form bodies or JSON. */
public final class AdminClient {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  public AdminClient(String base) {
    this.base = base;
  }

  /** A response: status, headers and the body (parsed when JSON). */
  public record Reply(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonNode json() {
      try {
        return Json.parse(text);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text, e);
      }
    }

    public String field(String name) {
      return Json.text(json(), name);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public Reply get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Reply delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  /** POST with form fields given as "key=value" (values are URL-encoded here). */
  public Reply post(String path, String... fields) {
    return form("POST", path, fields);
  }

  public Reply patch(String path, String... fields) {
    return form("PATCH", path, fields);
  }

  public Reply put(String path, String... fields) {
    return form("PUT", path, fields);
  }

  public Reply form(String method, String path, String... fields) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .method(method, HttpRequest.BodyPublishers.ofString(encode(fields))));
  }

  public Reply json(String method, String path, String json) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json)));
  }

  public Reply raw(String method, String path, String contentType, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  static String encode(String... fields) {
    List<String> parts = new ArrayList<>();
    for (String f : fields) {
      int eq = f.indexOf('=');
      parts.add(
          URLEncoder.encode(f.substring(0, eq), StandardCharsets.UTF_8)
              + "="
              + URLEncoder.encode(f.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return String.join("&", parts);
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Reply send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = CLIENT.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
