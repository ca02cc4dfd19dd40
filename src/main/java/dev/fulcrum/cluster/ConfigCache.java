package dev.fulcrum.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Json;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last configuration a cluster node applied, kept under its prefix, so that a node started
 * while the database is away serves what it served before instead of nothing (Kong's traditional
 * mode cannot). Written whole to a temporary file and moved into place: a crash leaves the old
 * copy or the new one, never half of one.
 */
final class ConfigCache {
  static final String FILE_NAME = "config-cache.json";

  /** What the file holds: the change-log position it stands for, when, and the entities. */
  record Contents(long event, long writtenAtMillis, Map<EntityType, List<ObjectNode>> entities) {}

  private final Path file;

  ConfigCache(Path prefix) {
    this.file = prefix.resolve(FILE_NAME);
  }

  Path file() {
    return file;
  }

  void write(long event, Map<EntityType, List<ObjectNode>> entities) throws IOException {
    ObjectNode root = Json.object();
    root.put("event", event);
    root.put("written_at", System.currentTimeMillis());
    ObjectNode all = root.putObject("entities");
    entities.forEach((type, docs) -> {
      ArrayNode list = all.putArray(type.name());
      docs.forEach(list::add);
    });
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    Files.write(tmp, Json.bytes(root));
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The cached configuration, or null when there is none (or it cannot be read). */
  Contents read(List<EntityType> types) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode root = Json.parse(Files.readString(file));
      Map<EntityType, List<ObjectNode>> entities = new LinkedHashMap<>();
      for (EntityType type : types) {
        List<ObjectNode> docs = new ArrayList<>();
        for (JsonNode doc : root.path("entities").path(type.name())) {
          docs.add((ObjectNode) doc);
        }
        entities.put(type, docs);
      }
      return new Contents(root.path("event").asLong(), root.path("written_at").asLong(), entities);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
