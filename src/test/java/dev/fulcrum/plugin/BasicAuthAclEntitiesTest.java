package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The basicauth_credentials and acls entities through the Admin API, with the statuses, shapes
 * and messages of Kong's spec/03-plugins/10-basic-auth/02-api_spec.lua and 18-acl/01-api_spec.lua.
 */
class BasicAuthAclEntitiesTest {
  /** A consumer id of our choosing, so that the stored hashes can be written down here. */
  private static final String BOB = "5fa8e5a1-1111-4222-8333-444455556666";

  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/consumers", "id=" + BOB, "username=bob").status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  @Test
  void aBasicAuthPasswordIsStoredAsKongHashesIt() {
    AdminClient.Reply created = admin.json("POST", "/consumers/bob/basic-auth",
        "{\"username\":\"bob\",\"password\":\"kong\"}");
    assertThat(created.status()).isEqualTo(201);
    JsonNode json = created.json();
    // sha1("kong" .. consumer id), hex: computed with sha1sum, not with the code under test.
    assertThat(json.path("password").asText()).isEqualTo("a2283e6a7f3f9240b5067c58f57ecc8b49b725b6");
    assertThat(json.path("consumer").path("id").asText()).isEqualTo(BOB);
    assertThat(json.path("username").asText()).isEqualTo("bob");
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("id", "created_at", "consumer", "username", "password", "tags");
    assertThat(json.get("tags").isNull()).isTrue();

    // Whitespace is kept; tags are a set of strings.
    AdminClient.Reply spaced = admin.json("POST", "/consumers/bob/basic-auth/",
        "{\"username\":\"bobby\",\"password\":\" kong \",\"tags\":[\"tag1\",\"tag2\"]}");
    assertThat(spaced.status()).isEqualTo(201);
    assertThat(spaced.field("password")).isEqualTo("e0043ea38a205842cc46a2947d6290153e7003d0");
    assertThat(spaced.json().path("tags").toString()).isEqualTo("[\"tag1\",\"tag2\"]");

    // Reads give the hash, never the password.
    assertThat(admin.get("/basic-auths/bob").field("password")).isEqualTo("a2283e6a7f3f9240b5067c58f57ecc8b49b725b6");
    assertThat(admin.get("/consumers/bob/basic-auth/" + created.field("id")).field("username")).isEqualTo("bob");
  }

  @Test
  void basicAuthCredentialErrorsAreKongs() {
    AdminClient.Reply empty = admin.json("POST", "/consumers/bob/basic-auth", "{}");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.json().path("fields").toString())
        .isEqualTo("{\"username\":\"required field missing\",\"password\":\"required field missing\"}");

    assertThat(admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong").status()).isEqualTo(201);
    AdminClient.Reply twice = admin.post("/consumers/bob/basic-auth", "username=bob", "password=other");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.field("message")).isEqualTo("UNIQUE violation detected on '{username=\"bob\"}'");

    AdminClient.Reply noConsumer = admin.json("POST", "/basic-auths", "{\"username\":\"bob2\"}");
    assertThat(noConsumer.status()).isEqualTo(400);
    assertThat(noConsumer.field("message"))
        .isEqualTo("2 schema violations (consumer: required field missing; password: required field missing)");

    AdminClient.Reply putBad = admin.json("PUT", "/consumers/bob/basic-auth/b59d82f6-c839-4a60-b491-c6cdff4cd5d3",
        "{\"username\":123}");
    assertThat(putBad.status()).isEqualTo(400);
    assertThat(putBad.json().path("fields").path("username").asText()).isEqualTo("expected a string");
    assertThat(putBad.json().path("fields").path("password").asText()).isEqualTo("required field missing");

    // The consumer salts the hash: moving a credential without its password would break it.
    assertThat(admin.post("/consumers", "username=john").status()).isEqualTo(201);
    String john = admin.get("/consumers/john").field("id");
    AdminClient.Reply move = admin.json("PATCH", "/basic-auths/bob", "{\"consumer\":{\"id\":\"" + john + "\"}}");
    assertThat(move.status()).isEqualTo(400);
    assertThat(move.field("message"))
        .isEqualTo("schema violation (all or none of these fields must be set: 'password', 'consumer.id')");
    // Kong reads a PATCH that names no consumer as changing it: the password alone is refused
    // at the top level, and accepted under the consumer, whose id the endpoint adds.
    AdminClient.Reply alone = admin.json("PATCH", "/basic-auths/bob", "{\"password\":\"new-secret\"}");
    assertThat(alone.status()).isEqualTo(400);
    assertThat(alone.field("message")).contains("all or none of these fields must be set");
    AdminClient.Reply moved = admin.json("PATCH", "/basic-auths/bob",
        "{\"consumer\":{\"id\":\"" + john + "\"},\"password\":\"x\"}");
    assertThat(moved.status()).isEqualTo(200);
    assertThat(moved.json().path("consumer").path("id").asText()).isEqualTo(john);
  }

  @Test
  void patchHashesANewPasswordAndKeepsTheHashOtherwise() {
    String id = admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong").field("id");
    AdminClient.Reply renamed = admin.json("PATCH", "/consumers/bob/basic-auth/" + id,
        "{\"username\":\"Tyrion Lannister\"}");
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.field("username")).isEqualTo("Tyrion Lannister");
    assertThat(renamed.field("password")).isEqualTo("a2283e6a7f3f9240b5067c58f57ecc8b49b725b6");

    AdminClient.Reply changed = admin.json("PATCH", "/consumers/bob/basic-auth/Tyrion Lannister".replace(" ", "%20"),
        "{\"password\":\"new-secret\"}");
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.field("password")).isEqualTo("3e2f327853aa6f28a50c4d504dde877267c84e9a");

    AdminClient.Reply badType = admin.json("PATCH", "/consumers/bob/basic-auth/" + id, "{\"username\":123}");
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.json().path("fields").toString()).isEqualTo("{\"username\":\"expected a string\"}");

    // PUT by username creates with that username, hashing.
    AdminClient.Reply put = admin.json("PUT", "/consumers/bob/basic-auth/robert", "{\"password\":\"kong\"}");
    assertThat(put.status()).isEqualTo(200);
    assertThat(put.field("username")).isEqualTo("robert");
    assertThat(put.field("password")).isEqualTo("a2283e6a7f3f9240b5067c58f57ecc8b49b725b6");
    AdminClient.Reply putTop = admin.json("PUT", "/basic-auths/james",
        "{\"password\":\"kong\",\"consumer\":{\"id\":\"" + BOB + "\"}}");
    assertThat(putTop.status()).isEqualTo(200);
    assertThat(putTop.field("password")).isEqualTo("a2283e6a7f3f9240b5067c58f57ecc8b49b725b6");
    assertThat(admin.json("PUT", "/basic-auths/nobody", "{}").field("message"))
        .isEqualTo("2 schema violations (consumer: required field missing; password: required field missing)");
  }

  @Test
  void basicAuthCredentialsAreListedScopedAndFoundByIdOrUsername() {
    String id = admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong").field("id");
    admin.post("/consumers", "username=alice");
    admin.post("/consumers/alice/basic-auth", "username=alice", "password=a");
    assertThat(admin.get("/consumers/bob/basic-auth").json().path("data")).hasSize(1);
    assertThat(admin.get("/basic-auths").json().path("data")).hasSize(2);
    JsonNode page = admin.get("/basic-auths?size=1").json();
    assertThat(page.path("data")).hasSize(1);
    assertThat(page.path("next").asText()).startsWith("/basic-auths?offset=");
    JsonNode second = admin.get("/basic-auths?size=1&offset=" + page.path("offset").asText()).json();
    assertThat(second.path("data")).hasSize(1);
    assertThat(second.has("offset")).isFalse();
    assertThat(second.path("data").get(0)).isNotEqualTo(page.path("data").get(0));

    assertThat(admin.get("/consumers/bob/basic-auth/bob").field("id")).isEqualTo(id);
    assertThat(admin.get("/consumers/alice/basic-auth/" + id).status()).isEqualTo(404);
    assertThat(admin.get("/basic-auths/" + id + "/consumer").field("username")).isEqualTo("bob");
    assertThat(admin.get("/basic-auths/bob/consumer").field("id")).isEqualTo(BOB);
    assertThat(admin.get("/basic-auths/no-such-user/consumer").status()).isEqualTo(404);
    assertThat(admin.get("/basic-auths/00000000-0000-0000-0000-000000000000/consumer").status()).isEqualTo(404);

    // Under a consumer, deleting what is not there is a 404; at the top level, Kong's 204.
    assertThat(admin.delete("/consumers/bob/basic-auth/blah").status()).isEqualTo(404);
    assertThat(admin.delete("/consumers/bob/basic-auth/00000000-0000-0000-0000-000000000000").status())
        .isEqualTo(404);
    assertThat(admin.delete("/basic-auths/blah").status()).isEqualTo(204);
    assertThat(admin.delete("/consumers/alice/basic-auth/" + id).status()).isEqualTo(404);
    assertThat(admin.delete("/consumers/bob/basic-auth/" + id).status()).isEqualTo(204);
    assertThat(admin.get("/basic-auths/bob").status()).isEqualTo(404);
  }

  @Test
  void anAclIsAGroupOfAConsumerFoundByIdOrByGroupWithinItsConsumer() {
    AdminClient.Reply admins = admin.json("POST", "/consumers/bob/acls", "{\"group\":\"admin\"}");
    assertThat(admins.status()).isEqualTo(201);
    List<String> names = new ArrayList<>();
    admins.json().fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("id", "created_at", "consumer", "group", "tags");
    assertThat(admins.json().path("consumer").path("id").asText()).isEqualTo(BOB);

    AdminClient.Reply noGroup = admin.json("POST", "/consumers/bob/acls", "{}");
    assertThat(noGroup.status()).isEqualTo(400);
    assertThat(noGroup.json().path("fields").toString()).isEqualTo("{\"group\":\"required field missing\"}");
    AdminClient.Reply twice = admin.post("/consumers/bob/acls", "group=admin");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.field("message"))
        .isEqualTo("UNIQUE violation detected on '{consumer={id=\"" + BOB + "\"},group=\"admin\"}'");
    AdminClient.Reply noConsumer = admin.post("/acls", "group=test-group");
    assertThat(noConsumer.field("message")).isEqualTo("schema violation (consumer: required field missing)");

    // The same group name for two consumers: each finds its own.
    admin.post("/consumers", "username=anna");
    String annas = admin.post("/consumers/anna/acls", "group=admin").field("id");
    assertThat(admin.get("/consumers/bob/acls/admin").field("id")).isEqualTo(admins.field("id"));
    assertThat(admin.get("/consumers/anna/acls/admin").field("id")).isEqualTo(annas);
    assertThat(admin.get("/consumers/anna/acls/" + admins.field("id")).status()).isEqualTo(404);
    assertThat(admin.get("/consumers/bob/acls/nope").status()).isEqualTo(404);
    assertThat(admin.get("/acls/" + annas + "/consumer").field("username")).isEqualTo("anna");

    // Only an id addresses an acl at the top level.
    AdminClient.Reply byName = admin.get("/acls/admin");
    assertThat(byName.status()).isEqualTo(400);
    assertThat(byName.json().path("code").asInt()).isEqualTo(1);
    assertThat(byName.field("message")).isEqualTo("invalid primary key: '{id=\"expected a valid UUID\"}'");
    assertThat(admin.get("/acls/admin/consumer").status()).isEqualTo(400);

    // PUT by group creates it (the body's group wins), PATCH by group renames.
    AdminClient.Reply pro = admin.json("PUT", "/consumers/bob/acls/pro", "{}");
    assertThat(pro.status()).isEqualTo(200);
    assertThat(pro.field("group")).isEqualTo("pro");
    assertThat(admin.json("PUT", "/consumers/bob/acls/pro", "{}").field("id")).isEqualTo(pro.field("id"));
    assertThat(admin.json("PUT", "/consumers/bob/acls/x", "{\"group\":\"y\"}").field("group")).isEqualTo("y");
    AdminClient.Reply bad = admin.json("PUT", "/consumers/bob/acls/f7852533-9160-4f5a-ae12-1ab99219ea95",
        "{\"group\":123}");
    assertThat(bad.json().path("fields").toString()).isEqualTo("{\"group\":\"expected a string\"}");
    AdminClient.Reply renamed = admin.json("PATCH", "/consumers/bob/acls/pro", "{\"group\":\"updatedGroup\"}");
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.field("group")).isEqualTo("updatedGroup");
    assertThat(renamed.field("id")).isEqualTo(pro.field("id"));
    AdminClient.Reply putTop = admin.json("PUT", "/acls/" + "0d9e2d65-7d8b-4a5e-a8b6-7c3b0f9a1e11",
        "{\"group\":\"test-group\",\"consumer\":{\"id\":\"" + BOB + "\"}}");
    assertThat(putTop.status()).isEqualTo(200);
    assertThat(putTop.field("id")).isEqualTo("0d9e2d65-7d8b-4a5e-a8b6-7c3b0f9a1e11");

    // bob: admin, updatedGroup, y, test-group; anna: admin.
    assertThat(admin.get("/consumers/bob/acls").json().path("data")).hasSize(4);
    assertThat(admin.get("/acls").json().path("data")).hasSize(5);
    assertThat(admin.delete("/consumers/bob/acls/blah").status()).isEqualTo(404);
    assertThat(admin.delete("/consumers/bob/acls/updatedGroup").status()).isEqualTo(204);
    assertThat(admin.delete("/consumers/bob/acls/" + admins.field("id")).status()).isEqualTo(204);
    assertThat(admin.get("/consumers/bob/acls").json().path("data")).hasSize(2);
  }

  @Test
  void deletingAConsumerDeletesItsCredentialsAndAcls() {
    admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong");
    admin.post("/consumers/bob/acls", "group=admin");
    admin.post("/consumers", "username=anna");
    admin.post("/consumers/anna/acls", "group=admin");
    assertThat(admin.delete("/consumers/bob").status()).isEqualTo(204);
    assertThat(admin.get("/basic-auths").json().path("data")).isEmpty();
    assertThat(admin.get("/acls").json().path("data")).hasSize(1);
    // The username is free again.
    admin.post("/consumers", "username=bob");
    assertThat(admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong").status()).isEqualTo(201);
  }

  @Test
  void thePluginsConfigurationsAreValidatedAsKongDoes() {
    AdminClient.Reply basic = admin.post("/plugins", "name=basic-auth");
    assertThat(basic.status()).isEqualTo(201);
    assertThat(basic.json().path("config").toString())
        .isEqualTo("{\"anonymous\":null,\"hide_credentials\":false,\"realm\":\"service\"}");
    assertThat(basic.json().path("protocols").toString()).isEqualTo("[\"grpc\",\"grpcs\",\"http\",\"https\"]");
    assertThat(admin.post("/consumers/bob/plugins", "name=basic-auth").json().path("fields").path("consumer")
        .asText()).isEqualTo("value must be null");

    AdminClient.Reply neither = admin.post("/plugins", "name=acl");
    assertThat(neither.status()).isEqualTo(400);
    assertThat(neither.json().path("fields").path("@entity").toString()).isEqualTo(
        "[\"exactly one of these fields must be non-empty: 'config.allow', 'config.deny'\","
            + "\"at least one of these fields must be non-empty: 'config.allow', 'config.deny'\"]");
    AdminClient.Reply both = admin.post("/plugins", "name=acl", "config.allow=a", "config.deny=b");
    assertThat(both.field("message"))
        .isEqualTo("schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')");
    AdminClient.Reply acl = admin.json("POST", "/plugins",
        "{\"name\":\"acl\",\"config\":{\"allow\":[\"admin\",\"dev\"],\"deny\":[]}}");
    assertThat(acl.status()).isEqualTo(201);
    assertThat(acl.json().path("config").toString()).isEqualTo("{\"allow\":[\"admin\",\"dev\"],\"deny\":[],"
        + "\"hide_groups_header\":false,\"always_use_authenticated_groups\":false}");
    assertThat(admin.get("/plugins/enabled").json().path("enabled_plugins").toString())
        .contains("\"acl\",\"basic-auth\"");
  }
}
