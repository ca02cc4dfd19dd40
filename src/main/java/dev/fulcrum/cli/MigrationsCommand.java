package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.model.Ids;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.store.jdbc.JdbcStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "migrations", description = "Manage the database schema: bootstrap, up, list, reset.")
final class MigrationsCommand implements Callable<Integer> {
  @Mixin ConfOptions options;

  @Parameters(index = "0", description = "bootstrap, up, list or reset")
  String action;

  @Option(names = {"-y", "--yes"}, description = "Do not ask before reset.")
  boolean yes;

  @Override
  public Integer call() {
    NodeSettings settings = options.loadOrReport();
    if (settings == null) {
      return 1;
    }
    ConfOptions.configureLogging(settings.logLevel());
    if (settings.database() != NodeSettings.Database.EMBEDDED) {
      System.err.println("Error: database = " + settings.get("database") + " is not available in this version");
      return 1;
    }
    try (JdbcStore store = EmbeddedStore.open(settings.prefix(), Ids.newId())) {
      switch (action) {
        case "bootstrap":
        case "up":
          List<String> ran = store.migrateUp();
          System.out.println(ran.isEmpty() ? "Database is up to date" : "Migrated: " + String.join(", ", ran));
          return 0;
        case "list":
          store.executedMigrations().forEach(System.out::println);
          return 0;
        case "reset":
          if (!yes) {
            System.err.println("Error: reset drops every table; run again with --yes");
            return 1;
          }
          store.reset();
          System.out.println("Database reset");
          return 0;
        default:
          System.err.println("Error: unknown action '" + action + "' (expected bootstrap, up, list or reset)");
          return 2;
      }
    } catch (StoreException e) {
      System.err.println("Error: " + e.getMessage());
      return 1;
    }
  }
}
