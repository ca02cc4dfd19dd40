package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.Json;
import dev.fulcrum.model.Target;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.PageRequest;
import dev.fulcrum.upstream.Backend;
import dev.fulcrum.upstream.UpstreamTarget;
import java.util.List;
import java.util.Optional;

/**
 * Kong's target health endpoints: {@code GET /upstreams/{u}/health} (and its
 * {@code balancer_health=1} form) and {@code PUT /upstreams/{u}/targets/{t}/healthy|unhealthy}.
 * Health is per node, as in Kong: it reports and changes this node's view.
 */
final class HealthEndpoints {
  private final Dao dao;
  private final SnapshotHolder snapshots;

  HealthEndpoints(Dao dao, SnapshotHolder snapshots) {
    this.dao = dao;
    this.snapshots = snapshots;
  }

  AdminResponse health(AdminRequest req, String upstreamKey) {
    ObjectNode upstream = dao.select(Entities.UPSTREAMS, upstreamKey).orElse(null);
    if (upstream == null) {
      return AdminResponse.notFound();
    }
    String id = Json.text(upstream, "id");
    Backend cluster = snapshots.current().kong().upstreamById(id);
    ObjectNode body = Json.object();
    if ("1".equals(req.queryParam("balancer_health"))) {
      ObjectNode data = body.putObject("data");
      boolean healthy = cluster != null && cluster.healthy();
      boolean checked = cluster != null && cluster.health().enabled();
      data.put("health", checked ? (healthy ? "HEALTHY" : "UNHEALTHY") : "HEALTHCHECKS_OFF");
      data.put("balancer_health", healthy ? "HEALTHY" : "UNHEALTHY");
      data.put("id", id);
      ObjectNode details = data.putObject("details");
      details.put("healthy", healthy);
      weights(details.putObject("weight"), cluster == null ? List.of() : cluster.targets());
      ArrayNode hosts = details.putArray("hosts");
      if (cluster != null) {
        for (UpstreamTarget t : cluster.targets()) {
          hosts.add(targetData(t));
        }
      }
      body.putNull("next");
      body.put("node_id", dao.store().nodeId());
      return AdminResponse.json(200, body);
    }
    // Every target, newest first, each with its health (Kong's page_for_upstream_with_health).
    List<ObjectNode> targets =
        dao.page(Entities.TARGETS, new PageRequest(1000, null, "upstream", id, null, false)).data();
    ArrayNode data = body.putArray("data");
    for (ObjectNode doc : targets) {
      ObjectNode entry = doc.deepCopy();
      UpstreamTarget t = cluster == null ? null : cluster.target(Target.from(doc).target());
      if (t == null) {
        entry.put("health", "DNS_ERROR");
      } else {
        entry.put("health", healthOf(t));
        entry.set("data", targetData(t));
      }
      data.add(entry);
    }
    body.putNull("next");
    body.put("node_id", dao.store().nodeId());
    return AdminResponse.json(200, body);
  }

  private static String healthOf(UpstreamTarget t) {
    if (!t.healthChecked() || t.weight() == 0) {
      return "HEALTHCHECKS_OFF";
    }
    return t.usable() ? "HEALTHY" : "UNHEALTHY";
  }

  private static ObjectNode targetData(UpstreamTarget t) {
    ObjectNode d = Json.object();
    d.put("host", t.host());
    d.put("port", t.port());
    d.put("dns", t.address() != null ? "A" : "name");
    d.put("nodeWeight", t.weight());
    weights(d.putObject("weight"), List.of(t));
    ArrayNode addresses = d.putArray("addresses");
    ObjectNode a = addresses.addObject();
    a.put("ip", t.address() != null ? t.address().getAddress().getHostAddress() : t.host());
    a.put("port", t.port());
    a.put("weight", t.weight());
    a.put("health", healthOf(t));
    return d;
  }

  private static void weights(ObjectNode w, List<UpstreamTarget> targets) {
    long total = 0;
    long unavailable = 0;
    for (UpstreamTarget t : targets) {
      total += t.weight();
      if (!t.usable()) {
        unavailable += t.weight();
      }
    }
    w.put("total", total);
    w.put("unavailable", unavailable);
    w.put("available", total - unavailable);
  }

  /**
   * {@code PUT .../healthy} or {@code .../unhealthy}: sets the target's health on every node of
   * the cluster (Kong's {@code balancer:post_health} event). This node applies it through the
   * change log too, and answers once it has.
   */
  /**
   * Kong's address-level form: one address of a target. A Fulcrum target balances to one address
   * (an IP, or its name resolved when connecting), so the address must be that target's own.
   */
  AdminResponse setAddress(String upstreamKey, String targetKey, String address, boolean healthy) {
    ObjectNode upstream = dao.select(Entities.UPSTREAMS, upstreamKey).orElse(null);
    Optional<ObjectNode> target = upstream == null ? Optional.empty()
        : dao.selectTarget(Json.text(upstream, "id"), targetKey);
    if (target.isEmpty()) {
      return AdminResponse.notFound();
    }
    String stored = Json.text(target.get(), "target");
    Backend cluster = snapshots.current().kong().upstreamById(Json.text(upstream, "id"));
    UpstreamTarget t = cluster == null ? null : cluster.target(stored);
    boolean own = Entities.normalizeTarget(address).equals(stored)
        || (t != null && t.address() != null
            && address.equals(t.address().getAddress().getHostAddress() + ":" + t.address().getPort()));
    if (!own) {
      return AdminResponse.notFound();
    }
    return set(upstreamKey, targetKey, healthy);
  }

  AdminResponse set(String upstreamKey, String targetKey, boolean healthy) {
    ObjectNode upstream = dao.select(Entities.UPSTREAMS, upstreamKey).orElse(null);
    if (upstream == null) {
      return AdminResponse.notFound();
    }
    String id = Json.text(upstream, "id");
    Optional<ObjectNode> target = dao.selectTarget(id, targetKey);
    if (target.isEmpty()) {
      return AdminResponse.notFound();
    }
    Backend cluster = snapshots.current().kong().upstreamById(id);
    UpstreamTarget t = cluster == null ? null : cluster.target(Json.text(target.get(), "target"));
    if (cluster == null || t == null) {
      return AdminResponse.message(400, "Upstream " + Json.text(upstream, "name") + " has no balancer");
    }
    if (!cluster.health().enabled()) {
      return AdminResponse.message(400, "no healthchecker found for " + Json.text(upstream, "name"));
    }
    long event = dao.postHealth(id, t.target(), healthy);
    return AdminResponse.empty(204).afterApplied(event);
  }
}
