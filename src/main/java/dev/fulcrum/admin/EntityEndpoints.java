package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Ids;
import dev.fulcrum.model.Json;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.DaoException;
import dev.fulcrum.store.Page;
import dev.fulcrum.store.PageRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Kong's generated CRUD endpoints for one entity type, top-level ({@code /services/{id}}) or
 * scoped to a parent ({@code /services/{s}/routes/{r}}), with Kong's statuses, list shape and
 * pagination.
 */
final class EntityEndpoints {
  private static final Pattern TAGS_AND = Pattern.compile("^([ !-+\\-.0-~\\u0080-\\uffff]+(?:,|$))+$");
  private static final Pattern TAGS_OR = Pattern.compile("^([ !-+\\-.0-~\\u0080-\\uffff]+(?:/|$))+$");

  /** The parent a nested endpoint is scoped to: the child's foreign field and the parent row. */
  record Parent(String field, ObjectNode entity, String pathPrefix) {
    String id() {
      return Json.text(entity, "id");
    }
  }

  private final Dao dao;
  private final LongSupplier written;

  /** @param written the change event of the last write committed (its answer waits for it) */
  EntityEndpoints(Dao dao, LongSupplier written) {
    this.dao = dao;
    this.written = written;
  }

  // ------------------------------------------------------------------ reads

  AdminResponse list(AdminRequest req, EntityType type, Parent parent, String path) {
    int size = pageSize(req);
    List<String> tags = null;
    boolean anyTag = false;
    if (parent == null && req.hasQueryParam("tags")) {
      String t = req.queryParam("tags");
      if (t == null || t.isEmpty()) {
        throw DaoException.invalidOption("tags", "cannot be null");
      }
      if (TAGS_AND.matcher(t).matches()) {
        tags = Arrays.asList(t.split(","));
      } else if (TAGS_OR.matcher(t).matches()) {
        tags = Arrays.asList(t.split("/"));
        anyTag = true;
      } else {
        throw DaoException.invalidOption("tags", "invalid filter syntax");
      }
      if (tags.size() > 5) {
        throw DaoException.invalidOption("tags", "cannot query more than 5 tags");
      }
    }
    PageRequest pr =
        new PageRequest(
            size, req.queryParam("offset"), parent == null ? null : parent.field(), parent == null ? null : parent.id(),
            tags, anyTag);
    Page page = dao.page(type, pr);
    ObjectNode body = Json.object();
    ArrayNode data = body.putArray("data");
    page.data().forEach(data::add);
    if (page.offset() != null) {
      body.put("offset", page.offset());
      StringBuilder next = new StringBuilder(path).append("?offset=").append(encode(page.offset()));
      if (parent == null) {
        if (req.hasQueryParam("tags")) {
          next.append("&tags=").append(encode(req.queryParam("tags")));
        }
        if (req.hasQueryParam("size")) {
          next.append("&size=").append(req.queryParam("size"));
        }
      }
      body.put("next", next.toString());
    } else {
      body.putNull("next");
    }
    return AdminResponse.json(200, body);
  }

  /** Kong's {@code /tags} and {@code /tags/{tag}}: every tagged entity, by tag. */
  AdminResponse tags(AdminRequest req, String tag, String path) {
    int size = pageSize(req);
    Page page = dao.tags(tag, size, req.queryParam("offset"));
    ObjectNode body = Json.object();
    ArrayNode data = body.putArray("data");
    page.data().forEach(data::add);
    if (page.offset() != null) {
      body.put("offset", page.offset());
      body.put("next", path + "?offset=" + encode(page.offset())
          + (req.hasQueryParam("size") ? "&size=" + req.queryParam("size") : ""));
    } else {
      body.putNull("next");
    }
    return AdminResponse.json(200, body);
  }

  static int pageSize(AdminRequest req) {
    String s = req.queryParam("size");
    if (s == null) {
      return 100;
    }
    double d;
    try {
      d = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw DaoException.invalidSize("size must be a number");
    }
    if (d != Math.rint(d) || d < 1 || d > 1000) {
      throw DaoException.invalidSize("size must be an integer between 1 and 1000");
    }
    return (int) d;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The entity at {@code key} (id or endpoint key) within {@code parent}, if any. */
  Optional<ObjectNode> find(EntityType type, String key, Parent parent) {
    if (type == Entities.TARGETS && parent != null) {
      return dao.selectTarget(parent.id(), key);
    }
    if (parent != null) {
      return dao.selectWithin(type, parent.field(), parent.id(), key);
    }
    return dao.select(type, key);
  }

  AdminResponse get(EntityType type, String key, Parent parent) {
    return find(type, key, parent).map(e -> AdminResponse.json(200, e)).orElseGet(AdminResponse::notFound);
  }

  // ----------------------------------------------------------------- writes

  static ObjectNode args(AdminRequest req, EntityType type) {
    return args(req, type, null);
  }

  /** The body's fields; a form's strings read as the schema's types ({@code existing}'s, for a change). */
  static ObjectNode args(AdminRequest req, EntityType type, ObjectNode existing) {
    Bodies.Decoded d = Bodies.decode(req);
    if (d.form()) {
      type.schema().infer(d.args(), existing);
    }
    return d.args();
  }

  AdminResponse create(AdminRequest req, EntityType type, Parent parent) {
    ObjectNode args = args(req, type);
    if (parent != null) {
      args.set(parent.field(), Json.object().put("id", parent.id()));
    }
    ObjectNode created = dao.insert(type, args);
    return AdminResponse.json(201, created).afterApplied(written.getAsLong());
  }

  AdminResponse patch(AdminRequest req, EntityType type, String key, Parent parent) {
    Optional<ObjectNode> existing = find(type, key, parent);
    ObjectNode args = args(req, type, existing.orElse(null));
    if (existing.isEmpty()) {
      if (parent != null) {
        return AdminResponse.notFound();
      }
      throw Ids.isUuid(key)
          ? DaoException.notFound(Json.object().put("id", key))
          : DaoException.notFoundByField(type.endpointKey(), key);
    }
    if (parent != null && !args.has(parent.field())) {
      args.set(parent.field(), Json.object().put("id", parent.id()));
    }
    ObjectNode updated = dao.update(type, Json.text(existing.get(), "id"), args);
    return AdminResponse.json(200, updated).afterApplied(written.getAsLong());
  }

  /**
   * Creates or replaces. A UUID key is the id; any other key sets the endpoint key (so
   * {@code PUT /services/my-svc} makes a service named my-svc).
   */
  AdminResponse put(AdminRequest req, EntityType type, String key, Parent parent) {
    ObjectNode args = args(req, type);
    Optional<ObjectNode> existing = find(type, key, parent);
    if (parent != null) {
      args.set(parent.field(), Json.object().put("id", parent.id()));
    }
    String existingId = existing.map(e -> Json.text(e, "id")).orElse(null);
    String within = parent == null ? null : type.keyWithin(parent.field());
    String id;
    if (Ids.isUuid(key)) {
      id = key.toLowerCase();
    } else {
      if (within != null) {
        // Kong's acls endpoint: the group in the path, unless the body names one.
        if (Json.isNull(args.get(within))) {
          args.put(within, key);
        }
      } else {
        args.put(type.endpointKey(), key);
      }
      id = existingId != null ? existingId : Ids.newId();
    }
    ObjectNode saved = dao.upsert(type, existingId, id, args);
    return AdminResponse.json(200, saved).afterApplied(written.getAsLong());
  }

  /**
   * Kong answers 204 even when there was nothing to delete, except under a parent: a nested
   * endpoint looks the child up first and answers 404 (kong/api/endpoints.lua).
   */
  AdminResponse delete(EntityType type, String key, Parent parent) {
    Optional<ObjectNode> existing = find(type, key, parent);
    if (existing.isEmpty()) {
      return parent != null ? AdminResponse.notFound() : AdminResponse.empty(204);
    }
    dao.delete(type, Json.text(existing.get(), "id"));
    return AdminResponse.empty(204).afterApplied(written.getAsLong());
  }

  /** The parent named in the path, or a 404 that ends the request. */
  Parent parent(EntityType parentType, String key, String field, String pathPrefix) {
    ObjectNode p = dao.select(parentType, key).orElseThrow(() -> new AdminException(AdminResponse.notFound()));
    return new Parent(field, p, pathPrefix);
  }
}
