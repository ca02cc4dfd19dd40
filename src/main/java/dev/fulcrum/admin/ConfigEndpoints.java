package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Json;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.declarative.DeclarativeConfig;
import dev.fulcrum.store.declarative.PersistedConfig;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /config} and {@code POST /config} of a DB-less node: read the whole configuration,
 * or replace it at once (a file with errors changes nothing, and the answer lists every error).
 * With a database, Kong answers 400: configuration goes through the entity endpoints there.
 * What a node took is kept under the prefix ({@link PersistedConfig}) for its next start.
 */
final class ConfigEndpoints {
  private static final String DB_ONLY = "this endpoint is only available when Kong is configured to not use a database";

  private final Dao dao;
  private final boolean dbless;
  private final PersistedConfig persisted;

  ConfigEndpoints(Dao dao, boolean dbless, PersistedConfig persisted) {
    this.dao = dao;
    this.dbless = dbless;
    this.persisted = persisted;
  }

  AdminResponse get() {
    if (!dbless) {
      return AdminResponse.message(400, DB_ONLY);
    }
    ObjectNode o = Json.object();
    o.put("config", DeclarativeConfig.write(current(), true));
    return AdminResponse.json(200, o);
  }

  /** The body is the configuration (JSON or YAML), or a form whose {@code config} field holds it. */
  AdminResponse post(AdminRequest r) {
    if (!dbless) {
      return AdminResponse.message(400, DB_ONLY);
    }
    String text = new String(r.body(), StandardCharsets.UTF_8);
    String type = r.headers().get("Content-Type", "");
    if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
      ObjectNode form = Bodies.decode(r).args();
      text = Json.text(form, "config");
      if (text == null) {
        return AdminResponse.message(400, "expected a declarative configuration");
      }
    }
    List<Dao.Loaded> items = DeclarativeConfig.parse(text);
    persisted.stage(text);
    try {
      dao.load(items, true);
    } catch (RuntimeException e) {
      persisted.discard();
      throw e;
    }
    persisted.commit();
    return AdminResponse.json(201, current()).afterApplied(dao.store().committedVersion());
  }

  private ObjectNode current() {
    Map<EntityType, List<ObjectNode>> all = new LinkedHashMap<>();
    for (EntityType type : Entities.ALL) {
      all.put(type, dao.all(type));
    }
    return DeclarativeConfig.export(all);
  }
}
