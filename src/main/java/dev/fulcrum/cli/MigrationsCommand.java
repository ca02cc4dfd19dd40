package dev.fulcrum.cli;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.model.Ids;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.StoreException;
import dev.fulcrum.store.jdbc.JdbcStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Kong's {@code migrations} command, with its messages and exit codes: {@code list} exits 3 when
 * the database needs bootstrapping and 5 when new migrations are available. Nodes running it at
 * once take turns (PostgreSQL advisory lock).
 */
@Command(name = "migrations", description = "Manage the database schema: bootstrap, up, finish, list, reset.")
final class MigrationsCommand implements Callable<Integer> {
  @Mixin ConfOptions options;

  @Parameters(index = "0", description = "bootstrap, up, finish, list or reset")
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
    if (!List.of("bootstrap", "up", "finish", "list", "reset").contains(action)) {
      System.err.println("Error: unknown action '" + action + "' (expected bootstrap, up, finish, list or reset)");
      return 2;
    }
    if (action.equals("reset") && !yes) {
      System.err.println("Error: reset drops every table; run again with --yes");
      return 1;
    }
    try (JdbcStore store = Stores.open(settings, Ids.newId())) {
      return run(store);
    } catch (SettingsException | StoreException e) {
      System.err.println("Error: " + e.getMessage());
      return 1;
    }
  }

  private int run(JdbcStore store) {
    boolean bootstrapped = !store.executedMigrations().isEmpty();
    switch (action) {
      case "bootstrap":
        if (bootstrapped) {
          System.out.println("Database already bootstrapped");
          return 0;
        }
        System.out.println("Bootstrapping database...");
        report(store.migrateUp());
        System.out.println("Database is up-to-date");
        return 0;
      case "up":
        if (!bootstrapped) {
          System.err.println("Error: Cannot run migrations: database needs bootstrapping; run '" + Stores.BOOTSTRAP + "'");
          return 1;
        }
        List<String> ran = store.migrateUp();
        report(ran);
        System.out.println(ran.isEmpty() ? "Database is already up-to-date" : "Database is up-to-date");
        return 0;
      case "finish":
        if (!bootstrapped) {
          System.err.println("Error: Cannot run migrations; run '" + Stores.BOOTSTRAP + "' instead");
          return 1;
        }
        // Every migration of this version completes in its up step: there is never a second half.
        if (!store.pendingMigrations().isEmpty()) {
          System.out.println("New migrations available; run 'fulcrum migrations up' to proceed");
        } else {
          System.out.println("No pending migrations to finish");
        }
        return 0;
      case "list":
        if (!bootstrapped) {
          System.out.println("Database needs bootstrapping; run '" + Stores.BOOTSTRAP + "'");
          return 3;
        }
        System.out.println("Executed migrations:");
        store.executedMigrations().forEach(m -> System.out.println("  " + m));
        List<String> pending = store.pendingMigrations();
        if (!pending.isEmpty()) {
          System.out.println("New migrations available: " + String.join(", ", pending));
          return 5;
        }
        return 0;
      default: // reset
        if (!bootstrapped) {
          System.out.println("Database not bootstrapped, nothing to reset");
          return 1;
        }
        System.out.println("Resetting database...");
        store.reset();
        System.out.println("Database successfully reset");
        return 0;
    }
  }

  private static void report(List<String> ran) {
    for (String m : ran) {
      System.out.println("migrated: " + m);
    }
  }
}
