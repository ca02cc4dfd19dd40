package dev.fulcrum.plugin.iprestriction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.IpBlock;
import dev.fulcrum.plugin.Flow;
import dev.fulcrum.plugin.HttpStep;
import dev.fulcrum.plugin.StepContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Kong's ip-restriction on HTTP requests: the client's address (the connection's, or the PROXY
 * protocol's) is refused when it lies in a {@code deny} block, or when {@code allow} is given and
 * it lies in none of its blocks; deny wins. Refused requests get Kong's error with the configured
 * status and message (403 and "IP address not allowed: ADDRESS" by default).
 */
public final class IpRestriction implements HttpStep {
  public static final int PRIORITY = 990;

  private final List<IpBlock> allow;
  private final List<IpBlock> deny;
  /** The configured status, or null for 403. */
  private final Double status;
  private final String message;

  public IpRestriction(ObjectNode config) {
    this.allow = blocks(config.get("allow"));
    this.deny = blocks(config.get("deny"));
    JsonNode s = config.get("status");
    this.status = s == null || s.isNull() ? null : s.asDouble();
    JsonNode m = config.get("message");
    this.message = m == null || m.isNull() ? null : m.asText();
  }

  private static List<IpBlock> blocks(JsonNode list) {
    List<IpBlock> out = new ArrayList<>();
    if (list != null) {
      list.forEach(v -> out.add(IpBlock.parse(v.asText())));
    }
    return List.copyOf(out);
  }

  @Override
  public Flow onRequest(StepContext ctx) {
    byte[] address = ctx.facts().client().getAddress().getAddress();
    if (in(deny, address) || (!allow.isEmpty() && !in(allow, address))) {
      refuse(ctx, address);
      return Flow.STOP;
    }
    return Flow.CONTINUE;
  }

  private static boolean in(List<IpBlock> blocks, byte[] address) {
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).contains(address)) {
        return true;
      }
    }
    return false;
  }

  private void refuse(StepContext ctx, byte[] address) {
    int code = status == null ? 403 : (int) (double) status;
    if (status != null && (code != status || code < 400 || code > 599)) {
      // Kong's kong.response.error takes 400..599 only: anything else fails the plugin, a 500.
      ctx.respond(500);
      return;
    }
    ctx.error(code, message != null ? message : "IP address not allowed: " + Addresses.text(address), null);
  }
}
