package dev.fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests Kong Manager OSS's pages make (Kong/kong-manager and the @kong-ui-public/entities-*
 * packages), with the bodies they send and the fields they read back.
 */
class KongManagerRequestsTest {
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    node = TestNode.start();
    admin = node.admin();
  }

  @AfterEach
  void tearDown() {
    node.close();
  }

  @Test
  void theOverviewAndPluginSelectionReadTheRoot() {
    JsonNode root = admin.get("/").json();
    assertThat(root.path("edition").asText()).isEqualTo("community");
    assertThat(root.path("version").asText()).matches("3\\.\\d+\\.\\d+");
    assertThat(root.at("/configuration/admin_listen").isArray()).isTrue();
    assertThat(root.at("/configuration/proxy_listeners/0/ssl").isBoolean()).isTrue();
    assertThat(root.at("/configuration/proxy_listeners/0/port").isInt()).isTrue();
    assertThat(root.at("/configuration/role").asText()).isEqualTo("traditional");
    assertThat(root.at("/plugins/available_on_server").fieldNames()).toIterable()
        .contains("key-auth", "rate-limiting", "proxy-cache", "basic-auth", "acl", "cors");
  }

  @Test
  void aPluginIsCreatedAndToggledWithTheWholeRowAsTheFormSendsIt() {
    JsonNode schema = admin.get("/schemas/plugins/rate-limiting").json();
    JsonNode protocols = null;
    for (JsonNode f : schema.path("fields")) {
      if (f.has("protocols")) {
        protocols = f.get("protocols");
      }
    }
    assertThat(protocols.path("default")).isNotEmpty();
    assertThat(protocols.at("/elements/one_of")).isNotEmpty();

    AdminClient.Reply created = admin.json("POST", "/plugins", "{\"name\":\"rate-limiting\",\"instance_name\":null,"
        + "\"enabled\":true,\"protocols\":[\"grpc\",\"grpcs\",\"http\",\"https\"],\"tags\":[],"
        + "\"config\":{\"minute\":5,\"policy\":\"local\"},\"service\":null,\"route\":null,\"consumer\":null}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(admin.get("/plugins?size=15").json().path("data")).hasSize(1);

    ObjectNode row = (ObjectNode) created.json();
    row.put("enabled", false);
    AdminClient.Reply toggled = admin.json("PATCH", "/plugins/" + row.path("id").asText(), Json.write(row));
    assertThat(toggled.status()).as(toggled.text()).isEqualTo(200);
    assertThat(toggled.json().path("enabled").asBoolean()).isFalse();
    assertThat(toggled.json().at("/config/minute").asInt()).isEqualTo(5);
  }

  @Test
  void consumersAndTheirCredentialsAsThePagesSendThem() {
    AdminClient.Reply consumer = admin.json("POST", "/consumers",
        "{\"username\":\"luka\",\"custom_id\":null,\"tags\":[]}");
    assertThat(consumer.status()).as(consumer.text()).isEqualTo(201);
    String id = consumer.field("id");
    assertThat(admin.json("PATCH", "/consumers/" + id, "{\"username\":\"luka\",\"custom_id\":\"L1\",\"tags\":[]}")
        .status()).isEqualTo(200);
    assertThat(admin.get("/schemas/keyauth_credentials").status()).isEqualTo(200);
    assertThat(admin.get("/schemas/basicauth_credentials").status()).isEqualTo(200);
    assertThat(admin.get("/schemas/acls").status()).isEqualTo(200);
    AdminClient.Reply key = admin.json("POST", "/consumers/" + id + "/key-auth",
        "{\"key\":\"k1\",\"tags\":[],\"consumer\":{\"id\":\"" + id + "\"}}");
    assertThat(key.status()).as(key.text()).isEqualTo(201);
    assertThat(admin.get("/consumers/" + id + "/key-auth?size=15").json().path("data")).hasSize(1);
    assertThat(admin.get("/consumers/" + id + "/plugins?size=15").json().path("data")).isEmpty();
  }

  @Test
  void vaultsKeysAndKeySetsAsTheFormsSendThem() {
    AdminClient.Reply vault = admin.json("POST", "/vaults", "{\"prefix\":\"my-env\",\"description\":null,\"tags\":[],"
        + "\"name\":\"env\",\"config\":{\"prefix\":\"SECRETS_\"}}");
    assertThat(vault.status()).as(vault.text()).isEqualTo(201);
    AdminClient.Reply plain = admin.json("POST", "/vaults", "{\"prefix\":\"plain-env\",\"name\":\"env\",\"tags\":[]}");
    // The edit form needs a non-empty config object to load.
    assertThat(plain.json().path("config").isObject()).isTrue();
    assertThat(plain.json().path("config").size()).isPositive();
    assertThat(admin.get("/vaults/my-env").field("name")).isEqualTo("env");

    String set = admin.json("POST", "/key-sets", "{\"name\":\"ks\",\"tags\":[]}").field("id");
    AdminClient.Reply key = admin.json("POST", "/keys", "{\"kid\":\"k1\",\"name\":null,\"tags\":[],\"set\":{\"id\":\""
        + set + "\"},\"jwk\":\"{\\\"kty\\\":\\\"oct\\\",\\\"kid\\\":\\\"k1\\\",\\\"k\\\":\\\"c2VjcmV0\\\"}\",\"pem\":null}");
    assertThat(key.status()).as(key.text()).isEqualTo(201);
    assertThat(admin.get("/key-sets/" + set + "/keys?size=15").json().path("data")).hasSize(1);
  }
}
