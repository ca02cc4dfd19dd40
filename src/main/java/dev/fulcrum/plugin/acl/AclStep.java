package dev.fulcrum.plugin.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.plugin.Credentials;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Kong's acl (kong/plugins/acl/handler.lua): lets through the consumers an authentication step
 * established according to their groups (the acls entities), and tells the server those groups in
 * {@code X-Consumer-Groups}. It runs after the authentication plugins (lower priority).
 */
public final class AclStep implements HttpStep {
  public static final int PRIORITY = 950;
  private static final String FORBIDDEN = "You cannot consume this service";

  /** Kong's type: deny when the deny list has a group, else allow. */
  private final boolean deny;
  private final List<String> groups = new ArrayList<>();
  private final boolean hideGroupsHeader;
  private final Credentials credentials;

  public AclStep(ObjectNode config, Credentials credentials) {
    JsonNode denied = config.get("deny");
    this.deny = denied != null && denied.isArray() && !denied.isEmpty();
    config.path(deny ? "deny" : "allow").forEach(g -> groups.add(g.asText()));
    this.hideGroupsHeader = config.path("hide_groups_header").asBoolean(false);
    this.credentials = credentials;
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    Consumer consumer = ctx.consumer();
    if (consumer == null) {
      // No authentication step ran or let the request through. (Groups another plugin
      // authenticated, such as ldap-auth's, would be read here: none of the bundled ones sets them.)
      return refuse(ctx);
    }
    Credentials.Groups of = credentials.groups(consumer.id());
    if (of.names().isEmpty() && !deny) {
      return refuse(ctx);
    }
    boolean inGroup = false;
    for (String g : groups) {
      if (of.set().contains(g)) {
        inGroup = true;
        break;
      }
    }
    if (deny == inGroup) {
      ctx.error(403, FORBIDDEN, null);
      return Flow.STOP;
    }
    if (!hideGroupsHeader) {
      // Kong sets the header to the groups joined; nginx drops a header set to nothing.
      if (of.header().isEmpty()) {
        ctx.request().headers().remove("X-Consumer-Groups");
      } else {
        ctx.request().headers().set("X-Consumer-Groups", of.header());
      }
    }
    return Flow.CONTINUE;
  }

  /**
   * Kong's answer when it cannot judge the consumer by groups: 403 for a consumer a credential
   * authenticated, 401 (kong.response.error's default message) for none or the anonymous one.
   */
  private static Flow refuse(StepContext ctx) {
    if (ctx.credentialId() != null) {
      ctx.error(403, FORBIDDEN, null);
    } else {
      ctx.error(401, "Unauthorized", null);
    }
    return Flow.STOP;
  }
}
