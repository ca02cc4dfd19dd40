package dev.fulcrum.plugin;

import dev.fulcrum.model.Consumer;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * What Kong's authentication plugins do once they know the consumer (their {@code set_consumer}):
 * the request is authenticated for the steps after them, and the server is told who by, each
 * header set or, when it has no value, removed so that a client cannot supply it.
 */
public final class ConsumerHeaders {
  private ConsumerHeaders() {}

  /**
   * @param credentialId the credential that authenticated, or null for the anonymous consumer
   * @param identifier what {@code X-Credential-Identifier} says (a key-auth credential's id, a
   *     basic-auth username), or null
   */
  public static void authenticate(StepContext ctx, Consumer consumer, String credentialId, String identifier) {
    ctx.authenticate(consumer, credentialId);
    HttpHeaders h = ctx.request().headers();
    setOrRemove(h, "X-Consumer-ID", consumer.id());
    setOrRemove(h, "X-Consumer-Custom-ID", consumer.customId());
    setOrRemove(h, "X-Consumer-Username", consumer.username());
    setOrRemove(h, "X-Credential-Identifier", identifier);
    setOrRemove(h, "X-Anonymous-Consumer", credentialId == null ? "true" : null);
  }

  private static void setOrRemove(HttpHeaders h, String name, String value) {
    if (value == null) {
      h.remove(name);
    } else {
      h.set(name, value);
    }
  }
}
