package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** An Admin API answer: a status, a JSON body (or none) and extra headers. */
final class AdminResponse {
  final int status;
  final JsonNode body;
  final String rawBody;
  final Map<String, String> headers = new LinkedHashMap<>();
  /** A write's change event: the answer goes out once this node serves it; 0 for none. */
  long appliedVersion;

  private AdminResponse(int status, JsonNode body, String rawBody) {
    this.status = status;
    this.body = body;
    this.rawBody = rawBody;
  }

  static AdminResponse json(int status, JsonNode body) {
    return new AdminResponse(status, body, null);
  }

  static AdminResponse empty(int status) {
    return new AdminResponse(status, null, null);
  }

  /** A body that is not JSON (Kong sends a few plain strings). */
  static AdminResponse text(int status, String text) {
    return new AdminResponse(status, null, text);
  }

  static AdminResponse message(int status, String message) {
    return json(status, Json.object().put("message", message));
  }

  static AdminResponse notFound() {
    return message(404, "Not found");
  }

  /** Answers once the node's configuration includes change event {@code version}. */
  AdminResponse afterApplied(long version) {
    appliedVersion = version;
    return this;
  }

  AdminResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
