package dev.fulcrum.plugin.keyauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import dev.fulcrum.plugin.ConsumerHeaders;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Kong's key-auth: the key from a header or query argument named in {@code key_names}, looked up
 * among the consumers' credentials; the consumer is then known to the steps after it and to the
 * server ({@code X-Consumer-*}). Without a valid key: 401, or the {@code anonymous} consumer.
 */
public final class KeyAuth implements HttpStep {
  public static final int PRIORITY = 1250;

  private final List<String> keyNames = new ArrayList<>();
  private final boolean hideCredentials;
  private final String anonymous;
  private final boolean inHeader;
  private final boolean inQuery;
  private final boolean runOnPreflight;
  private final String challenge;
  private final Credentials credentials;

  public KeyAuth(ObjectNode config, Credentials credentials) {
    config.path("key_names").forEach(n -> keyNames.add(n.asText()));
    this.hideCredentials = config.path("hide_credentials").asBoolean(false);
    JsonNode anon = config.get("anonymous");
    this.anonymous = anon == null || anon.isNull() || anon.asText().isEmpty() ? null : anon.asText();
    this.inHeader = config.path("key_in_header").asBoolean(true);
    this.inQuery = config.path("key_in_query").asBoolean(true);
    this.runOnPreflight = config.path("run_on_preflight").asBoolean(true);
    JsonNode realm = config.get("realm");
    this.challenge = realm == null || realm.isNull() ? "Key" : "Key realm=\"" + realm.asText() + "\"";
    this.credentials = credentials;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    HttpRequest request = ctx.request();
    if (!runOnPreflight && request.method().equals(HttpMethod.OPTIONS)) {
      return Flow.CONTINUE;
    }
    if (anonymous != null && ctx.consumer() != null && ctx.credentialId() != null) {
      // Another authentication already succeeded: with anonymous set, plugins are alternatives.
      return Flow.CONTINUE;
    }
    String key = null;
    for (String name : keyNames) {
      if (inHeader) {
        List<String> values = request.headers().getAll(name);
        if (values.size() > 1) {
          return fail(ctx, "Duplicate API key found");
        }
        if (values.size() == 1) {
          key = values.get(0);
          if (hideCredentials) {
            request.headers().remove(name);
          }
          break;
        }
      }
      if (inQuery) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        List<String> values = query.parameters().get(name);
        if (values != null && values.size() > 1) {
          return fail(ctx, "Duplicate API key found");
        }
        if (values != null && values.size() == 1) {
          key = values.get(0);
          if (hideCredentials) {
            request.setUri(without(query, name));
          }
          break;
        }
      }
    }
    if (key == null || key.isEmpty()) {
      return fail(ctx, "No API key found in request");
    }
    KeyCredential credential = credentials.key(key);
    Consumer consumer = credential == null ? null : credentials.consumer(credential.consumerId());
    if (consumer == null) {
      return fail(ctx, "Unauthorized");
    }
    authenticated(ctx, consumer, credential.id());
    return Flow.CONTINUE;
  }

  private Flow fail(StepContext ctx, String message) {
    if (anonymous == null) {
      HttpHeaders h = new DefaultHttpHeaders();
      h.set("WWW-Authenticate", challenge);
      ctx.error(401, message, h);
      return Flow.STOP;
    }
    Consumer anon = credentials.consumerByIdOrName(anonymous);
    if (anon == null) {
      ctx.error(500, "anonymous consumer " + anonymous + " is configured but doesn't exist", null);
      return Flow.STOP;
    }
    authenticated(ctx, anon, null);
    return Flow.CONTINUE;
  }

  /** Kong's set_consumer: key-auth identifies the credential by its id. */
  private static void authenticated(StepContext ctx, Consumer consumer, String credentialId) {
    ConsumerHeaders.authenticate(ctx, consumer, credentialId, credentialId);
  }

  /** The URI without the query argument {@code name}. */
  private static String without(QueryStringDecoder query, String name) {
    QueryStringEncoder out = new QueryStringEncoder(query.rawPath());
    for (Map.Entry<String, List<String>> e : query.parameters().entrySet()) {
      if (!e.getKey().equals(name)) {
        for (String v : e.getValue()) {
          out.addParam(e.getKey(), v);
        }
      }
    }
    return out.toString();
  }
}
