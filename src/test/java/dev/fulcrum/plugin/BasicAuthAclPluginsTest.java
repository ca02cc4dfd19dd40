package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The basic-auth and acl plugins on the request path, after Kong's
 * spec/03-plugins/10-basic-auth/03-access_spec.lua and 18-acl/02-access_spec.lua: statuses,
 * messages, challenge, the headers the server sees, anonymous, and acl behind either
 * authentication.
 */
class BasicAuthAclPluginsTest {
  @TempDir Path dir;

  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("mock");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=s", "url=http://" + backend.target()).status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  private void route(String name, String path) {
    assertThat(admin.post("/services/s/routes", "name=" + name, "paths[]=" + path).status()).isEqualTo(201);
  }

  private HttpResponse<String> get(String path, String... headers) {
    return Http.get(node.proxyUrl() + path, headers);
  }

  private JsonNode seen(String path, String... headers) {
    HttpResponse<String> r = get(path, headers);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r).path("headers");
  }

  /** A response read off the socket. */
  private record Raw(int status, String text) {
    JsonNode json() {
      try {
        return dev.fulcrum.model.Json.parse(text.substring(text.indexOf("\r\n\r\n") + 4));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(text, e);
      }
    }
  }

  /**
   * A GET written on the socket: Java's HttpClient drops Proxy-Authorization when it talks to the
   * server directly.
   */
  private Raw raw(String path, String... headers) {
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    try (RawHttp http = new RawHttp(node.proxyPort())) {
      String response = http.send(req.append("\r\n").toString()).readResponse();
      return new Raw(RawHttp.status(response), response);
    }
  }

  private void awaitStatus(String path, int status, String... headers) {
    await().atMost(Duration.ofSeconds(10)).until(() -> get(path, headers).statusCode() == status);
  }

  private static String basic(String userPassword) {
    return "Basic " + Base64.getEncoder().encodeToString(userPassword.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertUnauthorized(HttpResponse<String> r, String realm) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(Http.json(r).path("message").asText()).isEqualTo("Unauthorized");
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"" + realm + "\"");
  }

  @Test
  void basicAuthChecksTheUsernameAndPasswordAndTellsTheServerWho() {
    route("r1", "/one");
    route("r2", "/two");
    admin.post("/routes/r1/plugins", "name=basic-auth", "config.realm=test-realm");
    admin.post("/routes/r2/plugins", "name=basic-auth", "config.hide_credentials=true");
    String bob = admin.post("/consumers", "username=bob").field("id");
    admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong");
    admin.post("/consumers/bob/basic-auth", "username=user123", "password=password123");
    admin.post("/consumers/bob/basic-auth", "username=user321", "password=password:123");
    awaitStatus("/one", 200, "Authorization", basic("bob:kong"));

    assertUnauthorized(get("/one"), "test-realm");
    assertUnauthorized(get("/two"), "service");
    assertUnauthorized(get("/one", "Authorization", "foobar"), "test-realm");
    Raw foobar = raw("/one", "Proxy-Authorization", "foobar");
    assertThat(foobar.status()).isEqualTo(401);
    assertThat(RawHttp.header(foobar.text(), "WWW-Authenticate")).isEqualTo("Basic realm=\"test-realm\"");
    assertUnauthorized(get("/one", "Authorization", "Basic a29uZw=="), "test-realm"); // "kong": no user
    assertUnauthorized(get("/one", "Authorization", "Basic Ym9i"), "test-realm"); // "bob": no password
    assertUnauthorized(get("/one", "Authorization", "Basic adXNlcjEyMzpwYXNzd29yZDEyMw=="), "test-realm");
    assertUnauthorized(get("/one", "Authorization", basic("bob:wrong")), "test-realm");
    assertUnauthorized(get("/one", "Authorization", basic("nobody:kong")), "test-realm");
    // The stored hash is not a password.
    String hash = admin.get("/basic-auths/bob").field("password");
    assertUnauthorized(get("/one", "Authorization", basic("bob:" + hash)), "test-realm");

    JsonNode h = seen("/one", "Authorization", basic("bob:kong"), "X-Consumer-Custom-ID", "forged");
    assertThat(h.path("x-consumer-id").asText()).isEqualTo(bob);
    assertThat(h.path("x-consumer-username").asText()).isEqualTo("bob");
    assertThat(h.path("x-credential-identifier").asText()).isEqualTo("bob");
    assertThat(h.has("x-consumer-custom-id")).isFalse();
    assertThat(h.has("x-anonymous-consumer")).isFalse();
    assertThat(h.path("authorization").asText()).isEqualTo(basic("bob:kong"));

    assertThat(seen("/one", "Authorization", basic("user123:password123")).path("x-credential-identifier").asText())
        .isEqualTo("user123");
    assertThat(seen("/one", "Authorization", basic("user321:password:123")).path("x-credential-identifier")
        .asText()).isEqualTo("user321");
    // The scheme in either case, spaces optional; padding optional, as nginx decodes.
    assertThat(get("/one", "Authorization", "basic " + "Ym9iOmtvbmc").statusCode()).isEqualTo(200);
    assertThat(get("/one", "Authorization", "BasicYm9iOmtvbmc=").statusCode()).isEqualTo(200);
    assertThat(raw("/one", "Proxy-Authorization", basic("bob:kong")).json().path("headers")
        .path("x-credential-identifier").asText()).isEqualTo("bob");

    // Hidden: each header read, here both (the Proxy-Authorization user is unknown).
    JsonNode hidden = raw("/two", "Authorization", basic("bob:kong"), "Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .json().path("headers");
    assertThat(hidden.has("authorization")).isFalse();
    assertThat(hidden.has("proxy-authorization")).isFalse();
    assertThat(hidden.path("x-consumer-username").asText()).isEqualTo("bob");
    // Not hidden: both go on.
    JsonNode kept = raw("/one", "Authorization", basic("bob:kong"), "Proxy-Authorization", "Basic Zm9vOmJhcg==")
        .json().path("headers");
    assertThat(kept.path("proxy-authorization").asText()).isEqualTo("Basic Zm9vOmJhcg==");
    // Kong hides only what it read: Proxy-Authorization authenticated, Authorization stays.
    JsonNode first = raw("/two", "Proxy-Authorization", basic("bob:kong"), "Authorization", "Bearer x")
        .json().path("headers");
    assertThat(first.has("proxy-authorization")).isFalse();
    assertThat(first.path("authorization").asText()).isEqualTo("Bearer x");
  }

  @Test
  void proxyAuthorizationNamingAKnownUserDecidesAlone() {
    route("r", "/r");
    admin.post("/routes/r/plugins", "name=basic-auth");
    admin.post("/consumers", "username=bob");
    admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong");
    admin.post("/consumers/bob/basic-auth", "username=other", "password=pw");
    awaitStatus("/r", 200, "Authorization", basic("bob:kong"));
    // An unknown user there: Authorization is read.
    assertThat(raw("/r", "Proxy-Authorization", basic("nobody:x"), "Authorization", basic("bob:kong"))
        .json().path("headers").path("x-credential-identifier").asText()).isEqualTo("bob");
    // A known user with a wrong password there: refused, whatever Authorization says.
    assertThat(raw("/r", "Proxy-Authorization", basic("other:wrong"), "Authorization", basic("bob:kong"))
        .status()).isEqualTo(401);
    assertThat(raw("/r", "Proxy-Authorization", basic("other:pw"), "Authorization", basic("bob:wrong"))
        .json().path("headers").path("x-credential-identifier").asText()).isEqualTo("other");
  }

  @Test
  void anonymousLetsTheUnauthenticatedThroughAsAConsumer() {
    route("r3", "/three");
    route("r4", "/four");
    route("r5", "/five");
    String guest = admin.post("/consumers", "username=no-body").field("id");
    admin.post("/consumers", "username=bob");
    admin.post("/consumers/bob/basic-auth", "username=user123", "password=password123");
    admin.post("/routes/r3/plugins", "name=basic-auth", "config.anonymous=" + guest);
    admin.post("/routes/r4/plugins", "name=basic-auth", "config.anonymous=8e9f6c2e-0000-4000-8000-000000000000");
    admin.post("/routes/r5/plugins", "name=basic-auth", "config.anonymous=no-body");
    awaitStatus("/three", 200);
    awaitStatus("/five", 200);

    JsonNode right = seen("/three", "Authorization", basic("user123:password123"));
    assertThat(right.path("x-consumer-username").asText()).isEqualTo("bob");
    assertThat(right.path("x-credential-identifier").asText()).isEqualTo("user123");
    assertThat(right.has("x-anonymous-consumer")).isFalse();

    JsonNode anonymous = seen("/three", "Authorization", basic("user123:wrong"), "X-Credential-Identifier", "forged");
    assertThat(anonymous.path("x-anonymous-consumer").asText()).isEqualTo("true");
    assertThat(anonymous.path("x-consumer-username").asText()).isEqualTo("no-body");
    assertThat(anonymous.path("x-consumer-id").asText()).isEqualTo(guest);
    assertThat(anonymous.has("x-credential-identifier")).isFalse();
    assertThat(seen("/five").path("x-consumer-username").asText()).isEqualTo("no-body");

    HttpResponse<String> missing = get("/four");
    assertThat(missing.statusCode()).isEqualTo(500);
    assertThat(Http.json(missing).path("message").asText())
        .isEqualTo("anonymous consumer 8e9f6c2e-0000-4000-8000-000000000000 is configured but doesn't exist");
  }

  @Test
  void withAnonymousOnBothKeyAuthOrBasicAuthWillDo() {
    route("r", "/r");
    admin.post("/consumers", "username=anon");
    admin.post("/consumers", "username=keyed");
    admin.post("/consumers", "username=basic");
    admin.post("/consumers/keyed/key-auth", "key=the-key");
    admin.post("/consumers/basic/basic-auth", "username=u", "password=p");
    admin.post("/routes/r/plugins", "name=key-auth", "config.anonymous=anon");
    admin.post("/routes/r/plugins", "name=basic-auth", "config.anonymous=anon");
    awaitStatus("/r", 200);
    await().atMost(Duration.ofSeconds(10)).until(() ->
        seen("/r", "Authorization", basic("u:p")).path("x-consumer-username").asText().equals("basic"));
    // key-auth runs first (priority 1250 over 1100); basic-auth then leaves its consumer be.
    assertThat(seen("/r", "apikey", "the-key", "Authorization", basic("u:wrong")).path("x-consumer-username")
        .asText()).isEqualTo("keyed");
    assertThat(seen("/r").path("x-consumer-username").asText()).isEqualTo("anon");
  }

  @Test
  void aclLetsThroughByGroupAndTellsTheServerTheGroups() {
    route("allow", "/allow");
    route("deny", "/deny");
    route("hidden", "/hidden");
    route("noauth", "/noauth");
    admin.post("/plugins", "name=key-auth");
    admin.json("POST", "/routes/allow/plugins", "{\"name\":\"acl\",\"config\":{\"allow\":[\"admin\"]}}");
    admin.json("POST", "/routes/deny/plugins", "{\"name\":\"acl\",\"config\":{\"deny\":[\"banned\"]}}");
    admin.json("POST", "/routes/hidden/plugins",
        "{\"name\":\"acl\",\"config\":{\"allow\":[\"admin\"],\"hide_groups_header\":true}}");
    for (String c : new String[] {"ann", "ben", "cal"}) {
      admin.post("/consumers", "username=" + c);
      admin.post("/consumers/" + c + "/key-auth", "key=" + c + "-key");
    }
    // Ids chosen so that Kong's order (by acl id) is not the order of creation.
    admin.post("/consumers/ann/acls", "id=00000000-0000-4000-8000-000000000002", "group=admin");
    admin.post("/consumers/ann/acls", "id=00000000-0000-4000-8000-000000000001", "group=dev");
    admin.post("/consumers/ben/acls", "group=banned");
    awaitStatus("/deny", 403, "apikey", "ben-key");

    assertThat(seen("/allow", "apikey", "ann-key").path("x-consumer-groups").asText()).isEqualTo("dev, admin");
    assertForbidden(get("/allow", "apikey", "ben-key"));
    assertForbidden(get("/allow", "apikey", "cal-key")); // no groups at all
    assertForbidden(get("/deny", "apikey", "ben-key"));
    assertThat(seen("/deny", "apikey", "ann-key").path("x-consumer-groups").asText()).isEqualTo("dev, admin");
    // Under deny, a consumer without groups passes, and no groups header reaches the server.
    assertThat(seen("/deny", "apikey", "cal-key", "X-Consumer-Groups", "admin").has("x-consumer-groups")).isFalse();
    assertThat(seen("/hidden", "apikey", "ann-key").has("x-consumer-groups")).isFalse();
    assertThat(seen("/hidden", "apikey", "ann-key", "X-Consumer-Groups", "sent").path("x-consumer-groups").asText())
        .isEqualTo("sent");

    // A group given or taken away applies to the next requests.
    admin.post("/consumers/cal/acls", "group=admin");
    awaitStatus("/allow", 200, "apikey", "cal-key");
    assertThat(admin.delete("/consumers/ann/acls/admin").status()).isEqualTo(204);
    awaitStatus("/allow", 403, "apikey", "ann-key");
    assertThat(seen("/deny", "apikey", "ann-key").path("x-consumer-groups").asText()).isEqualTo("dev");
  }

  private static void assertForbidden(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(Http.json(r).path("message").asText()).isEqualTo("You cannot consume this service");
  }

  @Test
  void aclWithoutAnAuthenticatedConsumerIs401AndTheAnonymousOneNeedsAGroup() {
    route("bare", "/bare");
    route("anon", "/anon");
    admin.json("POST", "/routes/bare/plugins", "{\"name\":\"acl\",\"config\":{\"allow\":[\"admin\"]}}");
    admin.post("/consumers", "username=guest");
    admin.post("/consumers", "username=bob");
    admin.post("/consumers/bob/basic-auth", "username=bob", "password=kong");
    admin.post("/consumers/bob/acls", "group=admin");
    admin.post("/routes/anon/plugins", "name=basic-auth", "config.anonymous=guest");
    admin.json("POST", "/routes/anon/plugins", "{\"name\":\"acl\",\"config\":{\"allow\":[\"admin\"]}}");
    awaitStatus("/bare", 401);
    HttpResponse<String> bare = get("/bare");
    assertThat(Http.json(bare).path("message").asText()).isEqualTo("Unauthorized");
    assertThat(bare.headers().firstValue("WWW-Authenticate")).isEmpty();

    awaitStatus("/anon", 200, "Authorization", basic("bob:kong"));
    assertThat(seen("/anon", "Authorization", basic("bob:kong")).path("x-consumer-groups").asText())
        .isEqualTo("admin");
    // The anonymous consumer without groups: 401, not 403 (it holds no credential).
    HttpResponse<String> guest = get("/anon");
    assertThat(guest.statusCode()).isEqualTo(401);
    assertThat(Http.json(guest).path("message").asText()).isEqualTo("Unauthorized");
    admin.post("/consumers/guest/acls", "group=other");
    awaitStatus("/anon", 403);
    admin.post("/consumers/guest/acls", "group=admin");
    awaitStatus("/anon", 200);
    assertThat(seen("/anon").path("x-consumer-groups").asText()).contains("admin", "other");
  }

  @Test
  void aDbLessNodeHashesTheFilesPasswordsAndKeepsAnExportsHashes() throws Exception {
    Path file = dir.resolve("kong.yml");
    Files.writeString(file, String.join("\n",
        "_format_version: \"3.0\"",
        "services:",
        "- name: s",
        "  url: http://" + backend.target(),
        "  routes:",
        "  - name: r",
        "    paths: [/r]",
        "  plugins:",
        "  - name: basic-auth",
        "  - name: acl",
        "    config: {allow: [admin]}",
        "consumers:",
        "- username: james",
        "  basicauth_credentials:",
        "  - username: james",
        "    password: secret",
        "  acls:",
        "  - group: admin",
        "- username: moneypenny",
        "  basicauth_credentials:",
        "  - username: moneypenny",
        "    password: office",
        ""));
    try (TestNode dbless = TestNode.start(Map.of("database", "off", "declarative_config", file.toString()))) {
      await().atMost(Duration.ofSeconds(10)).until(() ->
          Http.get(dbless.proxyUrl() + "/r", "Authorization", basic("james:secret")).statusCode() == 200);
      assertThat(Http.get(dbless.proxyUrl() + "/r", "Authorization", basic("moneypenny:office")).statusCode())
          .isEqualTo(403);
      assertThat(Http.get(dbless.proxyUrl() + "/r", "Authorization", basic("james:wrong")).statusCode())
          .isEqualTo(401);
      AdminClient dbAdmin = dbless.admin();
      String id = dbAdmin.get("/consumers/james").field("id");
      String stored = dbAdmin.get("/basic-auths/james").field("password");
      assertThat(stored).hasSize(40).isNotEqualTo("secret");
      AdminClient.Reply refused = dbAdmin.post("/consumers/james/basic-auth", "username=q", "password=q");
      assertThat(refused.status()).isEqualTo(405);
      assertThat(refused.field("message"))
          .isEqualTo("cannot create 'basicauth_credentials' entities when not using a database");
      assertThat(dbAdmin.delete("/acls/" + dbAdmin.get("/consumers/james/acls/admin").field("id")).field("message"))
          .isEqualTo("cannot delete 'acls' entities when not using a database");

      // What /config gives back says "_transform: false": loaded again, the hashes stay hashes.
      String exported = dbAdmin.get("/config").field("config");
      assertThat(exported).contains("_transform: false", stored);
      assertThat(dbAdmin.raw("POST", "/config", "application/yaml", exported).status()).isEqualTo(201);
      assertThat(dbAdmin.get("/basic-auths/james").field("password")).isEqualTo(stored);
      assertThat(dbAdmin.get("/consumers/james").field("id")).isEqualTo(id);
      assertThat(Http.get(dbless.proxyUrl() + "/r", "Authorization", basic("james:secret")).statusCode())
          .isEqualTo(200);
    }
  }
}
