package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.cluster.NodeCache;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Json;
import dev.fulcrum.metrics.Traffic;
import dev.fulcrum.runtime.SnapshotHolder;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.DaoException;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.PluginSchemas;
import dev.fulcrum.model.SecretEntities;
import dev.fulcrum.plugin.proxycache.CacheStore;
import dev.fulcrum.store.declarative.PersistedConfig;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kong-compatible Admin API: the endpoint table and what every request goes through (405,
 * OPTIONS, HEAD, error mapping). Handlers run on the admin worker thread, never on an event loop;
 * a write is answered once this node serves the change, without the worker waiting for it.
 */
public final class AdminApi {
  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  private final Dao dao;
  private final SnapshotHolder snapshots;
  private final NodeSettings settings;
  private final Traffic traffic;
  private final EntityEndpoints entities;
  private final HealthEndpoints health;
  private final Paths paths = new Paths();
  /** The entity type each collection path segment names ("key-auths": keyauth_credentials). */
  private final Map<String, String> segments = new java.util.HashMap<>();
  private final ConfigEndpoints config;
  private final NodeCache cache;
  /** database = off: the entity endpoints only read; POST /config replaces everything. */
  private final boolean dbless;
  private final ProxyCacheEndpoints proxyCache;
  private final CacheStore proxyCacheStore;
  private final NodeInfo nodeInfo;

  public AdminApi(Dao dao, SnapshotHolder snapshots, NodeSettings settings, Traffic traffic, NodeCache cache) {
    this(dao, snapshots, settings, traffic, cache, new CacheStore(0));
  }

  /** @param proxyCache the responses proxy-cache keeps on this node */
  public AdminApi(Dao dao, SnapshotHolder snapshots, NodeSettings settings, Traffic traffic, NodeCache cache,
      CacheStore proxyCache) {
    this.dao = dao;
    this.cache = cache;
    this.snapshots = snapshots;
    this.settings = settings;
    this.traffic = traffic;
    this.entities = new EntityEndpoints(dao, dao.store()::committedVersion);
    this.health = new HealthEndpoints(dao, snapshots);
    this.dbless = settings.database() == NodeSettings.Database.OFF;
    this.config = new ConfigEndpoints(dao, dbless, new PersistedConfig(settings.prefix()));
    this.proxyCache = new ProxyCacheEndpoints(dao, proxyCache);
    this.proxyCacheStore = proxyCache;
    this.nodeInfo = new NodeInfo(dao, settings);
    register();
  }

  /** Applies a proxy-cache purge published by a node of the cluster. */
  public static void applyProxyCachePurge(CacheStore store, String data) {
    ProxyCacheEndpoints.apply(store, data);
  }

  Paths paths() {
    return paths;
  }

  /** Where writes wait for their change to be served before they are answered. */
  SnapshotHolder snapshots() {
    return snapshots;
  }

  private void register() {
    paths.on("GET", "/", (r, p) -> AdminResponse.json(200, nodeInfo.get()));
    paths.on("GET", "/status", (r, p) -> {
      MemoryUnits units;
      try {
        units = MemoryUnits.parse(r.queryParam("unit"), r.queryParam("scale"));
      } catch (IllegalArgumentException e) {
        return AdminResponse.message(400, e.getMessage());
      }
      return AdminResponse.json(200, status(units));
    });
    paths.on("GET", "/endpoints", (r, p) -> endpoints());
    paths.on("GET", "/config", (r, p) -> config.get());
    paths.on("POST", "/config", (r, p) -> config.post(r));
    // This node's cache only, as Kong's /cache endpoints: no broadcast.
    paths.on("GET", "/cache/{key}", (r, p) -> cache.probe(p.get("key"))
        .map(v -> v.orElse(null) instanceof ObjectNode o ? AdminResponse.json(200, o)
            : AdminResponse.json(200, v.isEmpty() ? Json.object() : Json.object().put("message", String.valueOf(v.get()))))
        .orElseGet(AdminResponse::notFound));
    paths.on("DELETE", "/cache/{key}", (r, p) -> {
      cache.invalidate(p.get("key"));
      return AdminResponse.empty(204);
    });
    paths.on("DELETE", "/cache", (r, p) -> {
      cache.purge();
      return AdminResponse.empty(204);
    });
    collection("services", Entities.SERVICES);
    collection("routes", Entities.ROUTES);
    collection("upstreams", Entities.UPSTREAMS);
    nested(Entities.SERVICES, "service", Entities.ROUTES, "routes");
    parentOf(Entities.ROUTES, "routes", "service", Entities.SERVICES);
    targets();
    plugins();
  }

  /** Consumers, plugins (global or scoped) and the bundled plugins' credentials and acls. */
  private void plugins() {
    collection("consumers", PluginEntities.CONSUMERS);
    collection("plugins", PluginEntities.PLUGINS);
    collection("key-auths", PluginEntities.KEYAUTH_CREDENTIALS);
    collection("basic-auths", PluginEntities.BASICAUTH_CREDENTIALS);
    collection("acls", PluginEntities.ACLS);
    nested(Entities.SERVICES, "service", PluginEntities.PLUGINS, "plugins");
    nested(Entities.ROUTES, "route", PluginEntities.PLUGINS, "plugins");
    nested(PluginEntities.CONSUMERS, "consumer", PluginEntities.PLUGINS, "plugins");
    nested(PluginEntities.CONSUMERS, "consumer", PluginEntities.KEYAUTH_CREDENTIALS, "key-auth");
    nested(PluginEntities.CONSUMERS, "consumer", PluginEntities.BASICAUTH_CREDENTIALS, "basic-auth");
    nested(PluginEntities.CONSUMERS, "consumer", PluginEntities.ACLS, "acls");
    parentOf(PluginEntities.PLUGINS, "plugins", "route", Entities.ROUTES);
    parentOf(PluginEntities.PLUGINS, "plugins", "service", Entities.SERVICES);
    parentOf(PluginEntities.PLUGINS, "plugins", "consumer", PluginEntities.CONSUMERS);
    parentOf(PluginEntities.KEYAUTH_CREDENTIALS, "key-auths", "consumer", PluginEntities.CONSUMERS);
    parentOf(PluginEntities.BASICAUTH_CREDENTIALS, "basic-auths", "consumer", PluginEntities.CONSUMERS);
    parentOf(PluginEntities.ACLS, "acls", "consumer", PluginEntities.CONSUMERS);
    collection("vaults", SecretEntities.VAULTS);
    collection("key-sets", SecretEntities.KEY_SETS);
    collection("keys", SecretEntities.KEYS);
    nested(SecretEntities.KEY_SETS, "key-sets", "set", SecretEntities.KEYS, "keys");
    parentOf(SecretEntities.KEYS, "keys", "set", SecretEntities.KEY_SETS);
    proxyCache.register(paths);
    new SchemaEndpoints().register(paths);
    paths.on("GET", "/tags", (r, p) -> entities.tags(r, null, "/tags"));
    paths.on("GET", "/tags/{tag}", (r, p) -> entities.tags(r, p.get("tag"), "/tags/" + p.get("tag")));
    paths.on("GET", "/plugins/enabled", (r, p) -> {
      ObjectNode o = Json.object();
      PluginSchemas.names().forEach(o.putArray("enabled_plugins")::add);
      return AdminResponse.json(200, o);
    });
  }

  /** {@code /c} and {@code /c/{key}}. */
  private void collection(String name, EntityType type) {
    segments.put(name, type.name());
    String one = "/" + name + "/{key}";
    paths.on("GET", "/" + name, (r, p) -> entities.list(r, type, null, "/" + name));
    paths.on("POST", "/" + name, (r, p) -> entities.create(r, type, null));
    paths.on("GET", one, (r, p) -> entities.get(type, p.get("key"), null));
    paths.on("PATCH", one, (r, p) -> entities.patch(r, type, p.get("key"), null));
    paths.on("PUT", one, (r, p) -> entities.put(r, type, p.get("key"), null));
    paths.on("DELETE", one, (r, p) -> entities.delete(type, p.get("key"), null));
  }

  /** {@code /parents/{p}/children} and {@code /parents/{p}/children/{c}}. */
  private void nested(EntityType parent, String field, EntityType child, String childPath) {
    nested(parent, parent.name(), field, child, childPath);
  }

  private void nested(EntityType parent, String parentPath, String field, EntityType child, String childPath) {
    segments.put(childPath, child.name());
    String base = "/" + parentPath + "/{parent}/" + childPath;
    String one = base + "/{key}";
    paths.on("GET", base, (r, p) -> {
      EntityEndpoints.Parent scope = scope(parent, parentPath, field, childPath, p);
      return entities.list(r, child, scope, scope.pathPrefix());
    });
    paths.on("POST", base, (r, p) -> entities.create(r, child, scope(parent, parentPath, field, childPath, p)));
    paths.on("GET", one, (r, p) -> entities.get(child, p.get("key"), scope(parent, parentPath, field, childPath, p)));
    paths.on("PATCH", one,
        (r, p) -> entities.patch(r, child, p.get("key"), scope(parent, parentPath, field, childPath, p)));
    paths.on("PUT", one, (r, p) -> entities.put(r, child, p.get("key"), scope(parent, parentPath, field, childPath, p)));
    paths.on("DELETE", one,
        (r, p) -> entities.delete(child, p.get("key"), scope(parent, parentPath, field, childPath, p)));
  }

  private EntityEndpoints.Parent scope(EntityType parent, String field, String childPath, Map<String, String> p) {
    return scope(parent, parent.name(), field, childPath, p);
  }

  private EntityEndpoints.Parent scope(
      EntityType parent, String parentPath, String field, String childPath, Map<String, String> p) {
    String key = p.get("parent");
    return entities.parent(parent, key, field, "/" + parentPath + "/" + key + "/" + childPath);
  }

  /** {@code /children/{c}/field}: the parent a child points to (GET, PATCH, PUT). */
  private void parentOf(EntityType child, String childPath, String field, EntityType parent) {
    String path = "/" + childPath + "/{key}/" + field;
    paths.on("GET", path, (r, p) -> parentId(child, field, p.get("key"))
        .map(id -> entities.get(parent, id, null))
        .orElseGet(AdminResponse::notFound));
    paths.on("PATCH", path, (r, p) -> parentId(child, field, p.get("key"))
        .map(id -> entities.patch(r, parent, id, null))
        .orElseGet(AdminResponse::notFound));
    // Kong's generated endpoint: a parent is not deleted through its child (405), but a child that
    // is missing or has no parent is a 404 first.
    paths.on("DELETE", path, (r, p) -> parentId(child, field, p.get("key"))
        .map(id -> AdminResponse.message(405, "Method not allowed"))
        .orElseGet(AdminResponse::notFound));
    paths.on("PUT", path, (r, p) -> {
      ObjectNode c = dao.select(child, p.get("key")).orElse(null);
      if (c == null) {
        return AdminResponse.notFound();
      }
      Optional<String> id = parentId(child, field, p.get("key"));
      if (id.isPresent()) {
        return entities.put(r, parent, id.get(), null);
      }
      // A child without a parent: create one and link it, as Kong does.
      AdminResponse created = entities.create(r, parent, null);
      ObjectNode link = Json.object();
      link.set(field, Json.object().put("id", Json.text(created.body, "id")));
      dao.update(child, Json.text(c, "id"), link);
      return AdminResponse.json(200, created.body).afterApplied(dao.store().committedVersion());
    });
  }

  private Optional<String> parentId(EntityType child, String field, String key) {
    return dao.select(child, key).map(c -> c.get(field)).filter(f -> !Json.isNull(f)).map(f -> Json.text(f, "id"));
  }

  private void targets() {
    String base = "/upstreams/{parent}/targets";
    nested(Entities.UPSTREAMS, "upstream", Entities.TARGETS, "targets");
    paths.on("GET", base + "/all", (r, p) -> {
      EntityEndpoints.Parent parent = scope(Entities.UPSTREAMS, "upstream", "targets", p);
      return entities.list(r, Entities.TARGETS, parent, parent.pathPrefix() + "/all");
    });
    paths.on("GET", "/upstreams/{parent}/health", (r, p) -> health.health(r, p.get("parent")));
    paths.on("PUT", base + "/{key}/healthy", (r, p) -> health.set(p.get("parent"), p.get("key"), true));
    paths.on("PUT", base + "/{key}/unhealthy", (r, p) -> health.set(p.get("parent"), p.get("key"), false));
    paths.on("PUT", base + "/{key}/{address}/healthy",
        (r, p) -> health.setAddress(p.get("parent"), p.get("key"), p.get("address"), true));
    paths.on("PUT", base + "/{key}/{address}/unhealthy",
        (r, p) -> health.setAddress(p.get("parent"), p.get("key"), p.get("address"), false));
  }

  // ------------------------------------------------------------ node info

  /**
   * Kong's /status. Memory in Kong's shape: the JVM heap in use stands for the workers' Lua VMs,
   * proxy-cache's store for the {@code kong_db_cache} dictionary.
   */
  private ObjectNode status(MemoryUnits units) {
    ObjectNode o = Json.object();
    ObjectNode memory = o.putObject("memory");
    Runtime rt = Runtime.getRuntime();
    ArrayNode vms = memory.putArray("workers_lua_vms");
    vms.addObject()
        .put("http_allocated_gc", units.format(rt.totalMemory() - rt.freeMemory()))
        .put("pid", ProcessHandle.current().pid());
    ObjectNode dicts = memory.putObject("lua_shared_dicts");
    dicts.putObject("kong").put("allocated_slabs", units.format(0)).put("capacity", units.format(5L << 20));
    dicts.putObject("kong_db_cache").put("allocated_slabs", units.format(proxyCacheStore.used()))
        .put("capacity", units.format(settings.memCacheSize()));
    ObjectNode server = o.putObject("server");
    server.put("connections_accepted", traffic.accepted());
    server.put("connections_active", traffic.connections());
    server.put("connections_handled", traffic.accepted());
    server.put("connections_reading", 0);
    server.put("connections_writing", traffic.requests());
    server.put("connections_waiting", Math.max(0, traffic.connections() - traffic.requests()));
    server.put("total_requests", traffic.totalRequests());
    o.putObject("database").put("reachable", dao.store().reachable());
    o.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
    return o;
  }

  private AdminResponse endpoints() {
    ObjectNode o = Json.object();
    ArrayNode data = o.putArray("data");
    paths.all().forEach(data::add);
    return AdminResponse.json(200, o);
  }

  // -------------------------------------------------------------- dispatch

  private static final String ANY_METHOD = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT";

  /** Kong's words for the writes a DB-less node refuses. */
  private static final Map<String, String> DB_LESS_REFUSES =
      Map.of("POST", "create", "PATCH", "update", "PUT", "upsert", "DELETE", "delete");

  /**
   * The entity a path names: its last segment that is a collection ("/services/s/routes": routes,
   * "/consumers/c/basic-auth": basicauth_credentials).
   */
  private String entityOf(String path) {
    String entity = "";
    for (String segment : path.split("/")) {
      String type = segments.get(segment);
      if (type != null) {
        entity = type;
      }
    }
    return entity;
  }

  /** Serves one request; never throws. */
  public AdminResponse handle(AdminRequest request) {
    Paths.Match m = paths.match(request.path());
    String method = request.method();
    if (method.equals("OPTIONS")) {
      // A browser's CORS preflight (Kong Manager's): 2xx on any path, so the real request is
      // sent and its own answer shown, with the request's headers allowed back.
      String allow = m == null ? ANY_METHOD : m.template().allow();
      String requested = request.headers().get("Access-Control-Request-Headers");
      return AdminResponse.empty(204)
          .header("Allow", allow)
          .header("Access-Control-Allow-Methods", allow)
          .header("Access-Control-Allow-Headers", requested != null ? requested : "Content-Type");
    }
    if (m == null) {
      return AdminResponse.notFound();
    }
    Paths.Handler h = m.template().methods.get(method.equals("HEAD") ? "GET" : method);
    if (h == null) {
      return AdminResponse.message(405, "Method not allowed");
    }
    if (dbless && DB_LESS_REFUSES.containsKey(method) && !request.path().equals("/config")
        && !request.path().startsWith("/cache") && !request.path().startsWith("/proxy-cache")
        && !request.path().endsWith("/healthy") && !request.path().endsWith("/unhealthy")) {
      return AdminResponse.json(405, DaoException.operationUnsupported(
          DB_LESS_REFUSES.get(method), entityOf(request.path())).body());
    }
    try {
      return h.handle(request, m.params());
    } catch (AdminException e) {
      return e.response;
    } catch (DaoException e) {
      if (e.status() == 500) {
        LOG.error("database error: {}", e.getMessage());
        return AdminResponse.message(500, "An unexpected error occurred");
      }
      return AdminResponse.json(e.status(), e.body());
    } catch (StoreException e) {
      LOG.error("database error serving {} {}: {}", method, request.path(), e.getMessage());
      if (e.unreachable()) {
        // Nothing was written: the transaction never reached the database or was rolled back.
        return AdminResponse.message(503, method.equals("GET") || method.equals("HEAD")
            ? "The database is unreachable" : "The database is unreachable; nothing was changed");
      }
      if (e.cannotWrite() != null) {
        return AdminResponse.message(503, "The database cannot store changes: " + e.cannotWrite()
            + "; nothing was changed");
      }
      return AdminResponse.message(500, "An unexpected error occurred");
    } catch (RuntimeException e) {
      LOG.error("error serving {} {}", method, request.path(), e);
      return AdminResponse.message(500, "An unexpected error occurred");
    }
  }
}
