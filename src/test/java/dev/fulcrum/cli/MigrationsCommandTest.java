package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fulcrum migrations} on PostgreSQL, as a user runs it: Kong's messages and exit codes. */
class MigrationsCommandTest {
  @TempDir Path dir;
  private final PgSchema schema = PgSchema.fresh();
  private int runs;

  @AfterEach
  void drop() {
    schema.close();
  }

  private record Run(int exit, String out) {}

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    schema.settings().forEach((k, v) -> env.put("FULCRUM_" + k.toUpperCase(Locale.ROOT), v));
    env.put("FULCRUM_PREFIX", dir.resolve("prefix").toString());
    return env;
  }

  private Process start(Map<String, String> env, Path log, String... args) {
    return Processes.java(Main.class.getName(), env, log, args);
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    Path log = dir.resolve("run" + runs++ + ".log");
    Process p = start(env, log, args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(log));
  }

  @Test
  void theLifeOfASchema() throws Exception {
    Run list = run(env(), "migrations", "list");
    assertThat(list.exit()).isEqualTo(3);
    assertThat(list.out()).contains("Database needs bootstrapping; run 'fulcrum migrations bootstrap'");

    Run start = run(env(), "start");
    assertThat(start.exit()).isEqualTo(1);
    assertThat(start.out()).contains("Error: Database needs bootstrapping; run 'fulcrum migrations bootstrap'");

    Run up = run(env(), "migrations", "up");
    assertThat(up.exit()).isEqualTo(1);
    assertThat(up.out()).contains("Cannot run migrations: database needs bootstrapping");

    Run boot = run(env(), "migrations", "bootstrap");
    assertThat(boot.exit()).isZero();
    assertThat(boot.out()).contains("Bootstrapping database...", "migrated: 000_base", "Database is up-to-date");

    Run again = run(env(), "migrations", "bootstrap");
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("Database already bootstrapped");

    assertThat(run(env(), "migrations", "up").out()).contains("Database is already up-to-date");
    assertThat(run(env(), "migrations", "finish").out()).contains("No pending migrations to finish");
    Run listed = run(env(), "migrations", "list");
    assertThat(listed.exit()).isZero();
    assertThat(listed.out()).contains("Executed migrations:", "000_base");

    Run unsure = run(env(), "migrations", "reset");
    assertThat(unsure.exit()).isEqualTo(1);
    assertThat(unsure.out()).contains("run again with --yes");
    assertThat(run(env(), "migrations", "list").exit()).isZero();

    Run reset = run(env(), "migrations", "reset", "--yes");
    assertThat(reset.exit()).isZero();
    assertThat(reset.out()).contains("Database successfully reset");
    assertThat(run(env(), "migrations", "list").exit()).isEqualTo(3);
  }

  @Test
  void twoNodesBootstrappingAtOnceBothSucceedAndMigrateOnce() throws Exception {
    Process one = start(env(), dir.resolve("one.log"), "migrations", "bootstrap");
    Process two = start(env(), dir.resolve("two.log"), "migrations", "bootstrap");
    assertThat(one.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(two.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(one.exitValue()).as(Files.readString(dir.resolve("one.log"))).isZero();
    assertThat(two.exitValue()).as(Files.readString(dir.resolve("two.log"))).isZero();
    String both = Files.readString(dir.resolve("one.log")) + Files.readString(dir.resolve("two.log"));
    assertThat(both.split("migrated: 000_base", -1)).hasSize(2);
    assertThat(both.split("migrated: 001_plugins", -1)).hasSize(2);
    assertThat(both.split("migrated: 002_basic_auth_acl", -1)).hasSize(2);
    try (var c = schema.connect(); var s = c.createStatement();
        var rs = s.executeQuery("SELECT count(*) FROM schema_meta")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(5);
    }
  }

  @Test
  void aWrongSettingIsNamedInOneLine() throws Exception {
    Map<String, String> env = env();
    env.put("FULCRUM_PG_USER", "no_such_role_here");
    Run r = run(env, "migrations", "bootstrap");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("Error: pg_user: ");
    assertThat(r.out().lines().filter(l -> l.startsWith("Error")).count()).isEqualTo(1);

    env = env();
    env.put("FULCRUM_DATABASE", "postgres");
    env.put("FULCRUM_PG_HOST", "");
    r = run(env, "start");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("Error: pg_host: ");

    env = env();
    env.put("FULCRUM_PG_DATABASE", "no_such_database_here");
    r = run(env, "migrations", "bootstrap");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("Error: pg_database: ", "no_such_database_here");
  }
}
