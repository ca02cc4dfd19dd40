package dev.fulcrum.store.declarative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.LinkedHashMap;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.EntityType;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.cli.Main;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.model.Entities;
import dev.fulcrum.model.Json;
import dev.fulcrum.server.Stores;
import dev.fulcrum.store.Dao;
import dev.fulcrum.store.DaoException;
import dev.fulcrum.store.embedded.EmbeddedStore;
import dev.fulcrum.store.jdbc.JdbcStore;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PgSchema;
import dev.fulcrum.testing.Processes;
import dev.fulcrum.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kong's declarative format: parse, db_import/db_export, and a DB-less node. */
class DeclarativeTest {
  @TempDir Path dir;

  private static final String NESTED = String.join("\n",
      "_format_version: \"3.0\"",
      "services:",
      "- name: s",
      "  url: http://%s",
      "  routes:",
      "  - name: r",
      "    paths: [/s]",
      "upstreams:",
      "- name: u",
      "  targets:",
      "  - target: 127.0.0.1:1",
      "routes:",
      "- name: flat",
      "  service: s",
      "  paths: [/flat]",
      "");

  @Test
  void nestedAndFlatEntitiesLoadWithTheirReferences() {
    try (EmbeddedStore store = EmbeddedStore.inMemory("n")) {
      store.migrateUp();
      Dao dao = new Dao(store);
      dao.load(DeclarativeConfig.parse(String.format(NESTED, "127.0.0.1:9")), true);
      String serviceId = Json.text(dao.select(Entities.SERVICES, "s").orElseThrow(), "id");
      assertThat(Json.text(dao.select(Entities.ROUTES, "r").orElseThrow().get("service"), "id")).isEqualTo(serviceId);
      assertThat(Json.text(dao.select(Entities.ROUTES, "flat").orElseThrow().get("service"), "id")).isEqualTo(serviceId);
      assertThat(dao.all(Entities.TARGETS)).hasSize(1);
    }
  }

  @Test
  void pluginsAndConsumersNestAtEveryLevelAndSurviveAnExportAndImport() {
    String config = String.join("\n",
        "_format_version: \"3.0\"",
        "services:",
        "- name: s",
        "  url: http://127.0.0.1:9",
        "  plugins:",
        "  - name: key-auth",
        "  routes:",
        "  - name: r",
        "    paths: [/s]",
        "    plugins:",
        "    - name: rate-limiting",
        "      config: {minute: 5}",
        "consumers:",
        "- username: luka",
        "  keyauth_credentials:",
        "  - key: top-secret-key",
        "  plugins:",
        "  - name: rate-limiting",
        "    config: {hour: 50}",
        "plugins:",
        "- name: rate-limiting",
        "  service: s",
        "  consumer: luka",
        "  config: {second: 1}",
        "");
    try (EmbeddedStore store = EmbeddedStore.inMemory("p"); EmbeddedStore again = EmbeddedStore.inMemory("q")) {
      store.migrateUp();
      Dao dao = new Dao(store);
      dao.load(DeclarativeConfig.parse(config), true);
      String serviceId = Json.text(dao.select(Entities.SERVICES, "s").orElseThrow(), "id");
      String routeId = Json.text(dao.select(Entities.ROUTES, "r").orElseThrow(), "id");
      String consumerId = Json.text(dao.select(PluginEntities.CONSUMERS, "luka").orElseThrow(), "id");
      assertThat(Json.text(dao.select(PluginEntities.KEYAUTH_CREDENTIALS, "top-secret-key").orElseThrow()
          .get("consumer"), "id")).isEqualTo(consumerId);
      List<String> scopes = dao.all(PluginEntities.PLUGINS).stream()
          .map(p -> Json.text(p, "name") + " " + Json.text(p.get("route"), "id") + " "
              + Json.text(p.get("service"), "id") + " " + Json.text(p.get("consumer"), "id"))
          .toList();
      assertThat(scopes).containsExactlyInAnyOrder(
          "key-auth null " + serviceId + " null",
          "rate-limiting null " + serviceId + " " + consumerId,
          "rate-limiting null null " + consumerId,
          "rate-limiting " + routeId + " null null");

      Map<EntityType, List<ObjectNode>> all = new LinkedHashMap<>();
      for (EntityType type : Entities.ALL) {
        all.put(type, dao.all(type));
      }
      String exported = DeclarativeConfig.write(DeclarativeConfig.export(all), true);
      again.migrateUp();
      Dao other = new Dao(again);
      other.load(DeclarativeConfig.parse(exported), true);
      for (EntityType type : Entities.ALL) {
        assertThat(other.all(type)).as(type.name()).isEqualTo(dao.all(type));
      }
    }
  }

  @Test
  void basicAuthCredentialsAndAclsNestInConsumersAndAnExportKeepsTheHashes() {
    String config = String.join("\n",
        "_format_version: \"3.0\"",
        "consumers:",
        "- id: ad06b77c-0d2f-407a-8d6d-07f272a92d6a",
        "  username: andru",
        "  basicauth_credentials:",
        "  - username: james",
        "    password: secret",
        "  acls:",
        "  - group: admin",
        "  - group: dev",
        "basicauth_credentials:",
        "- username: bond",
        "  consumer: andru",
        "  password: MI6",
        "acls:",
        "- group: ops",
        "  consumer: ad06b77c-0d2f-407a-8d6d-07f272a92d6a",
        "");
    String consumerId = "ad06b77c-0d2f-407a-8d6d-07f272a92d6a";
    try (EmbeddedStore store = EmbeddedStore.inMemory("b"); EmbeddedStore again = EmbeddedStore.inMemory("c");
        EmbeddedStore hashed = EmbeddedStore.inMemory("d")) {
      store.migrateUp();
      Dao dao = new Dao(store);
      dao.load(DeclarativeConfig.parse(config), true);
      // Clear text in the file, hashed on load: sha1("secret" .. consumer id), from sha1sum.
      ObjectNode james = dao.select(PluginEntities.BASICAUTH_CREDENTIALS, "james").orElseThrow();
      assertThat(Json.text(james, "password")).isEqualTo("84433e1623204adc73281b763d88a75d6340ed03");
      assertThat(Json.text(james.get("consumer"), "id")).isEqualTo(consumerId);
      assertThat(Json.text(dao.select(PluginEntities.BASICAUTH_CREDENTIALS, "bond").orElseThrow(), "password"))
          .isEqualTo("3db9e256c3e59f6145e13c941e18435b353dae26");
      assertThat(dao.all(PluginEntities.ACLS)).extracting(a -> Json.text(a, "group") + " " + Json.text(a.get("consumer"), "id"))
          .containsExactlyInAnyOrder("admin " + consumerId, "dev " + consumerId, "ops " + consumerId);

      Map<EntityType, List<ObjectNode>> all = new LinkedHashMap<>();
      for (EntityType type : Entities.ALL) {
        all.put(type, dao.all(type));
      }
      String exported = DeclarativeConfig.write(DeclarativeConfig.export(all), true);
      assertThat(exported).contains("_transform: false", "basicauth_credentials:", "acls:");
      again.migrateUp();
      Dao other = new Dao(again);
      other.load(DeclarativeConfig.parse(exported), true);
      for (EntityType type : Entities.ALL) {
        assertThat(other.all(type)).as(type.name()).isEqualTo(dao.all(type));
      }

      // A file may give a hash itself, saying so.
      hashed.migrateUp();
      Dao third = new Dao(hashed);
      third.load(DeclarativeConfig.parse(String.join("\n",
          "_format_version: \"3.0\"",
          "_transform: false",
          "consumers:",
          "- username: andru",
          "  basicauth_credentials:",
          "  - username: bond",
          "    password: 3db9e256c3e59f6145e13c941e18435b353dae26",
          "")), true);
      assertThat(Json.text(third.select(PluginEntities.BASICAUTH_CREDENTIALS, "bond").orElseThrow(), "password"))
          .isEqualTo("3db9e256c3e59f6145e13c941e18435b353dae26");
    }
    assertThatThrownBy(() -> DeclarativeConfig.parse("_format_version: \"3.0\"\n_transform: maybe\n"))
        .isInstanceOfSatisfying(DaoException.class, e -> assertThat(e.body().path("fields").path("_transform").asText())
            .isEqualTo("expected a boolean"));
  }

  @Test
  void everyErrorIsReportedWithItsEntityAndFieldAndNothingChanges() {
    try (EmbeddedStore store = EmbeddedStore.inMemory("n")) {
      store.migrateUp();
      Dao dao = new Dao(store);
      dao.load(DeclarativeConfig.parse(String.format(NESTED, "127.0.0.1:9")), true);
      String bad = String.join("\n",
          "_format_version: \"3.0\"",
          "services:",
          "- name: ok",
          "  url: http://127.0.0.1:9",
          "- name: noport",
          "  host: example.com",
          "  port: 70000",
          "routes:",
          "- name: orphan",
          "  service: nosuch",
          "  paths: [/x]",
          "- name: badpath",
          "  service: ok",
          "  paths: [nope]",
          "");
      assertThatThrownBy(() -> dao.load(DeclarativeConfig.parse(bad), true))
          .isInstanceOfSatisfying(DaoException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.body().path("code").asInt()).isEqualTo(14);
            JsonNode flat = e.body().path("flattened_errors");
            assertThat(flat).hasSize(3);
            assertThat(flat.toString()).contains("\"entity_name\":\"noport\"", "port",
                "\"entity_name\":\"orphan\"", "\"entity_name\":\"badpath\"", "paths");
          });
      assertThat(dao.select(Entities.SERVICES, "s")).isPresent();
      assertThat(dao.select(Entities.SERVICES, "ok")).isEmpty();
    }
    assertThatThrownBy(() -> DeclarativeConfig.parse("services: []\nno_such_entities: []\n"))
        .isInstanceOfSatisfying(DaoException.class, e -> assertThat(e.body().path("fields").toString())
            .contains("_format_version", "required field missing", "no_such_entities", "unknown field"));
  }

  private Map<String, String> env(PgSchema schema) {
    Map<String, String> env = new HashMap<>();
    schema.settings().forEach((k, v) -> env.put("FULCRUM_" + k.toUpperCase(Locale.ROOT), v));
    env.put("FULCRUM_PREFIX", dir.resolve("prefix").toString());
    return env;
  }

  private String cli(Map<String, String> env, int exit, String... args) throws Exception {
    Path log = Files.createTempFile(dir, "cli", ".log");
    Process p = Processes.java(Main.class.getName(), env, log, args);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isEqualTo(exit);
    return out;
  }

  private static void bootstrap(PgSchema schema) {
    try (JdbcStore s = Stores.open(NodeSettings.load(null, Map.of(), schema.settings()), "bootstrap")) {
      s.migrateUp();
    }
  }

  @Test
  void anExportImportedIntoAnEmptyDatabaseExportsIdentically() throws Exception {
    try (PgSchema first = PgSchema.fresh(); PgSchema second = PgSchema.fresh()) {
      bootstrap(first);
      bootstrap(second);
      try (TestNode node = TestNode.start(first.settings())) {
        AdminClient admin = node.admin();
        admin.post("/services", "name=s", "url=http://127.0.0.1:9", "tags[]=a");
        admin.post("/services/s/routes", "name=r", "paths[]=/s", "hosts[]=example.com");
        admin.post("/upstreams", "name=u", "healthchecks.active.healthy.interval=5");
        admin.post("/upstreams/u/targets", "target=127.0.0.1:1", "weight=50");
      }
      Path one = dir.resolve("one.yml");
      Path two = dir.resolve("two.yml");
      cli(env(first), 0, "config", "db_export", one.toString());
      assertThat(cli(env(second), 0, "config", "parse", one.toString())).contains("parse successful");
      cli(env(second), 0, "config", "db_import", one.toString());
      cli(env(second), 0, "config", "db_export", two.toString());
      assertThat(Files.readString(two)).isEqualTo(Files.readString(one)).contains("_format_version: \"3.0\"");
      // Importing again clashes with what is there: every error named, nothing added.
      String again = cli(env(second), 1, "config", "db_import", one.toString());
      assertThat(again).contains("invalid declarative configuration");
    }
  }

  @Test
  void aDbLessNodeServesItsFileRefusesWritesAndTakesAWholeNewConfiguration() throws Exception {
    try (Backend one = Backend.start("one"); Backend two = Backend.start("two")) {
      Path file = dir.resolve("kong.yml");
      Files.writeString(file, String.format(NESTED, one.target()));
      try (TestNode node = TestNode.start(Map.of("database", "off", "declarative_config", file.toString()))) {
        AdminClient admin = node.admin();
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/s").statusCode() == 200);
        AdminClient.Reply refused = admin.post("/services", "name=x", "url=http://127.0.0.1:9");
        assertThat(refused.status()).isEqualTo(405);
        assertThat(refused.field("message")).isEqualTo("cannot create 'services' entities when not using a database");
        assertThat(admin.delete("/services/s/routes/r").field("message"))
            .isEqualTo("cannot delete 'routes' entities when not using a database");
        assertThat(admin.get("/config").field("config")).contains("name: s", "_format_version");

        String next = "{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"t\",\"url\":\"http://" + two.target()
            + "\",\"routes\":[{\"paths\":[\"/t\"]}]}]}";
        assertThat(admin.json("POST", "/config", next).status()).isEqualTo(201);
        assertThat(Http.json(Http.get(node.proxyUrl() + "/t")).path("server").asText()).isEqualTo("two");
        assertThat(Http.get(node.proxyUrl() + "/s").statusCode()).isEqualTo(404);

        AdminClient.Reply bad = admin.json("POST", "/config",
            "{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"b1\"},{\"name\":\"b2\",\"url\":\"ftp://x\"}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("flattened_errors")).hasSize(2);
        assertThat(Http.get(node.proxyUrl() + "/t").statusCode()).isEqualTo(200);
      }
      Files.writeString(file, "_format_version: \"3.0\"\nservices:\n- name: broken\n");
      assertThatThrownBy(() -> TestNode.start(Map.of("database", "off", "declarative_config", file.toString())))
          .isInstanceOf(SettingsException.class).hasMessageContaining("declarative_config: " + file);
    }
    try (TestNode withDb = TestNode.start()) {
      assertThat(withDb.admin().get("/config").field("message"))
          .isEqualTo("this endpoint is only available when Kong is configured to not use a database");
    }
  }

  @Test
  void whatPostConfigGaveIsServedAgainAfterAStopAndStartUnlessADeclarativeFileIsSet() throws Exception {
    try (Backend one = Backend.start("one"); Backend two = Backend.start("two")) {
      Path prefix = Files.createDirectories(dir.resolve("prefix"));
      String posted = "{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"t\",\"url\":\"http://" + two.target()
          + "\",\"routes\":[{\"paths\":[\"/t\"]}]}]}";
      TestNode first = TestNode.startIn(prefix, Map.of("database", "off"));
      assertThat(first.admin().json("POST", "/config", posted).status()).isEqualTo(201);
      first.stopKeepingPrefix();
      TestNode second = TestNode.startIn(prefix, Map.of("database", "off"));
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(second.proxyUrl() + "/t").statusCode() == 200);
        assertThat(Http.json(Http.get(second.proxyUrl() + "/t")).path("server").asText()).isEqualTo("two");
        AdminClient.Reply bad = second.admin().json("POST", "/config",
            "{\"_format_version\":\"3.0\",\"services\":[{\"name\":\"b\",\"url\":\"ftp://x\"}]}");
        assertThat(bad.status()).isEqualTo(400);
      } finally {
        second.stopKeepingPrefix();
      }
      assertThat(Files.readString(prefix.resolve(PersistedConfig.FILE))).isEqualTo(posted);
      assertThat(prefix.resolve(PersistedConfig.FILE + ".new")).doesNotExist();

      Path file = dir.resolve("kong.yml");
      Files.writeString(file, String.format(NESTED, one.target()));
      TestNode third = TestNode.startIn(prefix, Map.of("database", "off", "declarative_config", file.toString()));
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(third.proxyUrl() + "/s").statusCode() == 200);
        assertThat(Http.get(third.proxyUrl() + "/t").statusCode()).isEqualTo(404);
      } finally {
        third.stopKeepingPrefix();
      }

      Files.writeString(prefix.resolve(PersistedConfig.FILE), "services: [{name: broken}]\n");
      assertThatThrownBy(() -> TestNode.startIn(prefix, Map.of("database", "off")))
          .isInstanceOf(SettingsException.class).hasMessageContaining(PersistedConfig.FILE);
    }
  }
}
