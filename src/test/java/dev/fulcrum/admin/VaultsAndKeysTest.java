package dev.fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kong's vaults (and {vault://...} references in plugin configs), keys and key sets. */
class VaultsAndKeysTest {
  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("mock");
    node = TestNode.startWithEnv(Map.of(), Map.of("RL_MESSAGE", "Slow down", "SECRETS_MSG", "From the vault",
        "CREDS", "{\"message\":\"From a JSON secret\"}"));
    admin = node.admin();
    admin.post("/services", "name=s", "url=http://" + backend.target());
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  @Test
  void vaultsAreValidatedAsKongDoes() {
    AdminClient.Reply created = admin.post("/vaults", "name=env", "prefix=my-env", "config.prefix=secrets-");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().at("/config/prefix").asText()).isEqualTo("secrets-");
    assertThat(admin.get("/vaults/my-env").field("name")).isEqualTo("env");
    assertThat(admin.post("/vaults", "name=env", "prefix=my-env").status()).isEqualTo(409);
    assertThat(admin.post("/vaults", "name=env", "prefix=env").json().at("/fields/prefix").asText())
        .isEqualTo("must not be one of: env");
    assertThat(admin.post("/vaults", "name=env", "prefix=My_Env").json().at("/fields/prefix").asText())
        .isEqualTo("invalid value: My_Env");
    assertThat(admin.post("/vaults", "name=aws", "prefix=aws-vault").json().at("/fields/name").asText())
        .isEqualTo("vault 'aws' is not installed");
  }

  /** A route whose rate limit is already used up, so its 429 shows the configured message. */
  private void limitedRoute(String path, String message) {
    admin.post("/services/s/routes", "name=" + path.substring(1), "paths[]=" + path);
    admin.post("/routes/" + path.substring(1) + "/plugins", "name=rate-limiting", "config.hour=1",
        "config.error_message=" + message);
  }

  @Test
  void pluginConfigsReadVaultReferences() {
    admin.post("/vaults", "name=env", "prefix=my-env", "config.prefix=secrets-");
    limitedRoute("/direct", "{vault://env/rl-message}");
    limitedRoute("/entity", "{vault://my-env/msg}");
    limitedRoute("/json", "{vault://env/creds/message}");
    limitedRoute("/missing", "{vault://env/not-set}");
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/direct").statusCode() == 429);
    assertThat(Http.json(Http.get(node.proxyUrl() + "/direct")).path("message").asText()).isEqualTo("Slow down");
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/entity").statusCode() == 429);
    assertThat(Http.json(Http.get(node.proxyUrl() + "/entity")).path("message").asText()).isEqualTo("From the vault");
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(node.proxyUrl() + "/json").statusCode() == 429);
    assertThat(Http.json(Http.get(node.proxyUrl() + "/json")).path("message").asText())
        .isEqualTo("From a JSON secret");
    // A reference that cannot be read fails closed.
    assertThat(Http.get(node.proxyUrl() + "/missing").statusCode()).isEqualTo(500);
    // The stored config keeps the reference, not the secret.
    assertThat(admin.get("/routes/direct/plugins").json().at("/data/0/config/error_message").asText())
        .isEqualTo("{vault://env/rl-message}");
  }

  @Test
  void keysAndKeySets() {
    String set = admin.post("/key-sets", "name=ks").field("id");
    String jwk = "{\"kty\":\"oct\",\"kid\":\"k1\",\"k\":\"c2VjcmV0\"}";
    AdminClient.Reply key = admin.json("POST", "/keys",
        "{\"name\":\"k\",\"kid\":\"k1\",\"jwk\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(jwk)
            + ",\"set\":{\"id\":\"" + set + "\"}}");
    assertThat(key.status()).as(key.text()).isEqualTo(201);
    assertThat(admin.get("/key-sets/ks/keys").json().path("data")).hasSize(1);
    assertThat(admin.get("/keys/k/set").field("name")).isEqualTo("ks");

    assertThat(admin.post("/keys", "kid=k2").json().at("/fields/@entity/0").asText())
        .isEqualTo("at least one of these fields must be non-empty: 'jwk', 'pem'");
    assertThat(admin.post("/keys", "kid=k2", "jwk=nope").json().at("/fields/@entity/0").asText())
        .isEqualTo("could not json decode jwk string");
    assertThat(admin.json("POST", "/keys", "{\"kid\":\"other\",\"jwk\":" + com.fasterxml.jackson.databind.node.TextNode
        .valueOf(jwk) + "}").json().at("/fields/@entity/0").asText()).isEqualTo("kid in jwk.kid must be equal to keys.kid");
    assertThat(admin.post("/keys", "kid=k3", "pem.public_key=not a pem").json().at("/fields/@entity/0").asText())
        .isEqualTo("need to supply a PEM formatted public and/or private key.");
    assertThat(admin.post("/keys", "kid=k4", "jwk=" + jwk, "pem.public_key=x").json().at("/fields/@entity/0").asText())
        .isEqualTo("only one or none of these fields must be set: 'jwk', 'pem'");
    assertThat(admin.post("/keys").json().at("/fields/kid").asText()).isEqualTo("required field missing");

    assertThat(admin.delete("/key-sets/ks").status()).isEqualTo(204);
    assertThat(admin.get("/keys").json().path("data")).isEmpty();
  }
}
