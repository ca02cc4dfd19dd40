package dev.fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Kong's /schemas endpoints: what Kong Manager builds its forms from. */
class SchemasTest {
  private static TestNode node;
  private static AdminClient admin;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    admin = node.admin();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode field(JsonNode schema, String name) {
    for (JsonNode f : schema.path("fields")) {
      if (f.has(name)) {
        return f.get(name);
      }
    }
    throw new AssertionError("no field " + name + " in " + schema);
  }

  @Test
  void anEntitySchemaListsItsFieldsInKongsWords() {
    JsonNode services = admin.get("/schemas/services").json();
    assertThat(field(services, "id").path("uuid").asBoolean()).isTrue();
    assertThat(field(services, "id").path("auto").asBoolean()).isTrue();
    assertThat(field(services, "name").path("unique").asBoolean()).isTrue();
    assertThat(field(services, "retries").path("default").asInt()).isEqualTo(5);
    assertThat(field(services, "protocol").path("one_of").toString()).contains("\"http\"", "\"https\"");
    JsonNode consumer = field(admin.get("/schemas/keyauth_credentials").json(), "consumer");
    assertThat(consumer.path("type").asText()).isEqualTo("foreign");
    assertThat(consumer.path("reference").asText()).isEqualTo("consumers");
    assertThat(consumer.path("on_delete").asText()).isEqualTo("cascade");
    assertThat(admin.get("/schemas/nothing").status()).isEqualTo(404);
  }

  @Test
  void aPluginSchemaShowsItsConfigRecord() {
    JsonNode keyAuth = admin.get("/schemas/plugins/key-auth").json();
    JsonNode config = field(keyAuth, "config");
    assertThat(config.path("type").asText()).isEqualTo("record");
    JsonNode keyNames = field(config, "key_names");
    assertThat(keyNames.path("type").asText()).isEqualTo("array");
    assertThat(keyNames.path("default").toString()).isEqualTo("[\"apikey\"]");
    assertThat(keyNames.path("elements").path("type").asText()).isEqualTo("string");
    assertThat(field(field(admin.get("/schemas/plugins/rate-limiting").json(), "config"), "policy")
        .path("one_of").toString()).isEqualTo("[\"local\",\"cluster\",\"redis\"]");
    assertThat(field(admin.get("/plugins/schema/proxy-cache").json(), "strategy").path("required").asBoolean()).isTrue();
    AdminClient.Reply missing = admin.get("/schemas/plugins/nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.field("message")).isEqualTo("No plugin named 'nope'");
  }

  @Test
  void validateChecksWithoutStoring() {
    AdminClient.Reply ok = admin.post("/schemas/services/validate", "name=s", "url=http://example.com");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.field("message")).isEqualTo("schema validation successful");
    assertThat(admin.get("/services").json().path("data")).isEmpty();
    AdminClient.Reply bad = admin.post("/schemas/services/validate", "name=s", "port=99999", "host=x");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().path("fields").path("port").asText()).isEqualTo("value should be between 0 and 65535");
    assertThat(admin.post("/schemas/plugins/validate", "name=key-auth").status()).isEqualTo(200);
    AdminClient.Reply badPlugin = admin.post("/schemas/plugins/validate", "name=rate-limiting");
    assertThat(badPlugin.status()).isEqualTo(400);
    assertThat(badPlugin.json().path("fields").path("@entity").get(0).asText()).startsWith("at least one of");
  }

  @Test
  void tagsListEveryTaggedEntityByTag() {
    String service = admin.post("/services", "name=tagged", "url=http://example.com", "tags[]=blue", "tags[]=green")
        .field("id");
    String consumer = admin.post("/consumers", "username=tagged", "tags[]=blue").field("id");
    try {
      JsonNode blue = admin.get("/tags/blue").json();
      assertThat(blue.path("data")).hasSize(2);
      assertThat(blue.toString()).contains("\"entity_name\":\"services\"", "\"entity_id\":\"" + service + "\"",
          "\"entity_name\":\"consumers\"", "\"entity_id\":\"" + consumer + "\"");
      JsonNode page = admin.get("/tags?size=2").json();
      assertThat(page.path("data")).hasSize(2);
      assertThat(page.path("next").asText()).startsWith("/tags?offset=");
      JsonNode rest = admin.get(page.path("next").asText()).json();
      assertThat(rest.path("data")).hasSize(1);
      assertThat(rest.path("next").isNull()).isTrue();
      assertThat(admin.get("/tags/none").json().path("data")).isEmpty();
    } finally {
      admin.delete("/services/tagged");
      admin.delete("/consumers/tagged");
    }
  }
}
