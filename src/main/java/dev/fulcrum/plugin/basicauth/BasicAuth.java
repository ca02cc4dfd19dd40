package dev.fulcrum.plugin.basicauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.BasicAuthCredential;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.plugin.ConsumerHeaders;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Kong's basic-auth (kong/plugins/basic-auth/access.lua): a username and password from {@code
 * Proxy-Authorization}, else {@code Authorization}, checked against the consumers' credentials;
 * the consumer is then known to the steps after it and to the server ({@code X-Consumer-*}, and
 * the username as {@code X-Credential-Identifier}). Without valid credentials: 401 with a {@code
 * Basic} challenge, or the {@code anonymous} consumer.
 */
public final class BasicAuth implements HttpStep {
  public static final int PRIORITY = 1100;

  private final boolean hideCredentials;
  private final String anonymous;
  private final String challenge;
  private final Credentials credentials;

  public BasicAuth(ObjectNode config, Credentials credentials) {
    this.hideCredentials = config.path("hide_credentials").asBoolean(false);
    JsonNode anon = config.get("anonymous");
    this.anonymous = anon == null || anon.isNull() || anon.asText().isEmpty() ? null : anon.asText();
    this.challenge = "Basic realm=\"" + config.path("realm").asText("service") + "\"";
    this.credentials = credentials;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    if (anonymous != null && ctx.credentialId() != null) {
      // Another authentication already succeeded: with anonymous set, plugins are alternatives.
      return Flow.CONTINUE;
    }
    HttpHeaders headers = ctx.request().headers();
    String authorization = headers.get("Authorization");
    String proxyAuthorization = headers.get("Proxy-Authorization");
    if (authorization == null && proxyAuthorization == null) {
      return fail(ctx);
    }
    // Kong reads both headers as they came, and hides each one it reads.
    BasicCredentials given = read(headers, "Proxy-Authorization", proxyAuthorization);
    BasicAuthCredential credential = given == null ? null : credentials.basicAuth(given.username());
    if (credential == null) {
      // Kong tries Authorization only when Proxy-Authorization named no known user; a known
      // user with a wrong password there fails, whatever Authorization says.
      given = read(headers, "Authorization", authorization);
      if (given == null) {
        return fail(ctx);
      }
      credential = credentials.basicAuth(given.username());
    }
    if (credential == null || !credential.matches(given.password())) {
      return fail(ctx);
    }
    Consumer consumer = credentials.consumer(credential.consumerId());
    if (consumer == null) {
      return fail(ctx);
    }
    ConsumerHeaders.authenticate(ctx, consumer, credential.id(), credential.username());
    return Flow.CONTINUE;
  }

  private BasicCredentials read(HttpHeaders headers, String name, String value) {
    BasicCredentials parsed = value == null ? null : BasicCredentials.parse(value);
    if (parsed == BasicCredentials.UNRECOGNIZED) {
      return null; // and, as in Kong, the header is not hidden
    }
    if (hideCredentials) {
      headers.remove(name);
    }
    return parsed;
  }

  private Flow fail(StepContext ctx) {
    if (anonymous == null) {
      HttpHeaders h = new DefaultHttpHeaders();
      h.set("WWW-Authenticate", challenge);
      ctx.error(401, "Unauthorized", h);
      return Flow.STOP;
    }
    Consumer anon = credentials.consumerByIdOrName(anonymous);
    if (anon == null) {
      ctx.error(500, "anonymous consumer " + anonymous + " is configured but doesn't exist", null);
      return Flow.STOP;
    }
    ConsumerHeaders.authenticate(ctx, anon, null, null);
    return Flow.CONTINUE;
  }
}
