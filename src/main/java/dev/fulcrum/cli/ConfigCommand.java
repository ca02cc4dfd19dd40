package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.Ids;
import dev.fulcrum.model.Json;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.DaoException;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.declarative.DeclarativeConfig;
import dev.fulcrum.store.jdbc.JdbcStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Kong's {@code config} command: {@code db_import FILE} adds a declarative configuration to the
 * database (all of it or, on any error, nothing), {@code db_export [FILE]} writes the database's
 * configuration (YAML for .yml/.yaml, else JSON; {@code kong.yml} by default), {@code parse FILE}
 * checks a file and reports every error with its entity and field.
 */
@Command(name = "config", description = "Declarative configuration: db_import FILE, db_export [FILE], parse FILE.")
final class ConfigCommand implements Callable<Integer> {
  @Mixin ConfOptions options;

  @Parameters(index = "0", description = "db_import, db_export or parse")
  String action;

  @Parameters(index = "1", arity = "0..1", description = "the declarative file")
  Path file;

  @Override
  public Integer call() {
    NodeSettings settings = options.loadOrReport();
    if (settings == null) {
      return 1;
    }
    ConfOptions.configureLogging(settings.logLevel());
    try {
      switch (action) {
        case "parse":
          return parse();
        case "db_import":
          return dbImport(settings);
        case "db_export":
          return dbExport(settings);
        default:
          System.err.println("Error: unknown action '" + action + "' (expected db_import, db_export or parse)");
          return 2;
      }
    } catch (DaoException e) {
      System.err.println("Error: " + e.getMessage());
      System.err.println(Json.write(e.body()));
      return 1;
    } catch (SettingsException | StoreException | IOException e) {
      System.err.println("Error: " + e.getMessage());
      return 1;
    }
  }

  private String read() throws IOException {
    if (file == null) {
      throw new IOException("a declarative file is needed: fulcrum config " + action + " FILE");
    }
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** Checks the shape and every entity, in a store that is thrown away. */
  private int parse() throws IOException {
    List<Dao.Loaded> items = DeclarativeConfig.parse(read());
    try (JdbcStore scratch = dev.fulcrum.store.embedded.EmbeddedStore.inMemory(Ids.newId())) {
      scratch.migrateUp();
      new Dao(scratch).load(items, true);
    }
    System.out.println("parse successful");
    return 0;
  }

  private JdbcStore open(NodeSettings settings) {
    JdbcStore store = Stores.open(settings, Ids.newId());
    try {
      Stores.checkSchema(store);
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private int dbImport(NodeSettings settings) throws IOException {
    List<Dao.Loaded> items = DeclarativeConfig.parse(read());
    try (JdbcStore store = open(settings)) {
      new Dao(store).load(items, false);
    }
    System.out.println("import successful: " + items.size() + " entities");
    return 0;
  }

  private int dbExport(NodeSettings settings) throws IOException {
    Path out = file == null ? Path.of("kong.yml") : file;
    Map<EntityType, List<com.fasterxml.jackson.databind.node.ObjectNode>> all = new LinkedHashMap<>();
    try (JdbcStore store = open(settings)) {
      Dao dao = new Dao(store);
      for (EntityType type : Entities.ALL) {
        all.put(type, dao.all(type));
      }
    }
    Files.writeString(out, DeclarativeConfig.write(DeclarativeConfig.export(all), DeclarativeConfig.isYaml(out.toString())),
        StandardCharsets.UTF_8);
    System.out.println("exported to " + out);
    return 0;
  }
}
