package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.plugin.proxycache.CacheStore;
import dev.fulcrum.store.ChangeEvent;
import dev.fulcrum.store.Dao;
import java.util.Map;

/**
 * proxy-cache's Admin API: read or purge cached responses, by key or of one plugin, or all of
 * them. A purge also goes to every other node of the cluster as a change event.
 */
final class ProxyCacheEndpoints {
  private final Dao dao;
  private final CacheStore store;

  ProxyCacheEndpoints(Dao dao, CacheStore store) {
    this.dao = dao;
    this.store = store;
  }

  void register(Paths paths) {
    paths.on("DELETE", "/proxy-cache", (r, p) -> {
      store.purge(null);
      dao.broadcast(ChangeEvent.PROXY_CACHE_PURGE, "*");
      return AdminResponse.empty(204);
    });
    paths.on("GET", "/proxy-cache/{key}", (r, p) -> get(null, p.get("key")));
    paths.on("DELETE", "/proxy-cache/{key}", (r, p) -> delete(null, p.get("key")));
    paths.on("GET", "/proxy-cache/{plugin}/caches/{key}", (r, p) -> withPlugin(p, () -> get(p.get("plugin"), p.get("key"))));
    paths.on("DELETE", "/proxy-cache/{plugin}/caches/{key}",
        (r, p) -> withPlugin(p, () -> delete(p.get("plugin"), p.get("key"))));
  }

  /** Applies a purge another node (or this one) published. */
  static void apply(CacheStore store, String data) {
    if (data.equals("*")) {
      store.purge(null);
    } else {
      store.remove(data.substring(data.indexOf(':') + 1));
    }
  }

  private AdminResponse withPlugin(Map<String, String> p, java.util.function.Supplier<AdminResponse> then) {
    return dao.select(PluginEntities.PLUGINS, p.get("plugin"))
        .filter(plugin -> "proxy-cache".equals(Json.text(plugin, "name")))
        .map(plugin -> then.get())
        .orElseGet(AdminResponse::notFound);
  }

  private CacheStore.Entry entry(String pluginId, String key) {
    CacheStore.Entry e = store.get(key, System.currentTimeMillis());
    return e == null || (pluginId != null && !pluginId.equals(e.pluginId())) ? null : e;
  }

  private AdminResponse get(String pluginId, String key) {
    CacheStore.Entry e = entry(pluginId, key);
    if (e == null) {
      return AdminResponse.notFound();
    }
    ObjectNode o = Json.object();
    o.put("status", e.status());
    ObjectNode headers = o.putObject("headers");
    e.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
    o.put("body_len", e.body().length);
    o.put("timestamp", e.storedAtMillis() / 1000);
    o.put("ttl", e.ttlSeconds());
    o.put("plugin_id", e.pluginId());
    return AdminResponse.json(200, o);
  }

  private AdminResponse delete(String pluginId, String key) {
    if (entry(pluginId, key) == null) {
      return AdminResponse.notFound();
    }
    store.remove(key);
    dao.broadcast(ChangeEvent.PROXY_CACHE_PURGE, (pluginId == null ? "" : pluginId) + ":" + key);
    return AdminResponse.empty(204);
  }
}
