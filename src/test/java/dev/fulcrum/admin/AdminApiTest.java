package dev.fulcrum.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.AdminClient.Reply;
import dev.fulcrum.testing.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Admin API statuses, bodies and error shapes against Kong 3.x. Each test uses its own names. */
class AdminApiTest {
  static TestNode node;
  static AdminClient admin;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    admin = node.admin();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void rootAndStatus() {
    Reply root = admin.get("/");
    assertThat(root.status()).isEqualTo(200);
    assertThat(root.field("node_id")).matches("[0-9a-f-]{36}");
    assertThat(root.json().at("/configuration/admin_listen/0").asText()).isEqualTo("127.0.0.1:0");
    assertThat(root.json().at("/configuration/proxy_listeners/0/port").asInt()).isZero();
    assertThat(root.json().at("/configuration/proxy_listeners/0/ssl").asBoolean()).isFalse();
    assertThat(root.json().at("/configuration/admin_gui_listeners").isArray()).isTrue();
    assertThat(root.field("version")).matches("3\\.\\d+\\.\\d+");
    assertThat(root.field("fulcrum_version")).isNotBlank();
    assertThat(root.field("edition")).isEqualTo("community");
    assertThat(root.json().at("/plugins/available_on_server/key-auth/priority").asInt()).isEqualTo(1250);
    assertThat(root.json().at("/plugins/enabled_in_cluster").isArray()).isTrue();
    assertThat(root.header("content-type")).startsWith("application/json");
    Reply status = admin.get("/status");
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.json().at("/database/reachable").asBoolean()).isTrue();
    assertThat(status.json().at("/server/total_requests").isNumber()).isTrue();
    assertThat(status.json().at("/memory/workers_lua_vms/0/http_allocated_gc").asText()).matches("\\d+\\.\\d\\d MiB");
    assertThat(status.json().at("/memory/lua_shared_dicts/kong_db_cache/capacity").asText()).isEqualTo("128.00 MiB");
    assertThat(admin.get("/status?unit=k&scale=0").json().at("/memory/lua_shared_dicts/kong_db_cache/capacity")
        .asText()).isEqualTo("131072 KiB");
    assertThat(admin.get("/status?unit=b").json().at("/memory/lua_shared_dicts/kong_db_cache/capacity").asText())
        .isEqualTo("134217728");
    Reply badUnit = admin.get("/status?unit=V");
    assertThat(badUnit.status()).isEqualTo(400);
    assertThat(badUnit.field("message")).isEqualTo("invalid unit 'V' (expected 'k/K', 'm/M', or 'g/G')");
    assertThat(admin.get("/status?scale=-1").field("message")).isEqualTo("scale must be equal or greater than 0");
  }

  @Test
  void createdServiceHasEveryFieldWithKongsDefaults() {
    Reply r = admin.post("/services", "name=defaults-svc", "host=example.test");
    assertThat(r.status()).isEqualTo(201);
    JsonNode s = r.json();
    assertThat(s.get("id").asText()).matches("[0-9a-f-]{36}");
    assertThat(s.get("created_at").isIntegralNumber()).isTrue();
    assertThat(s.get("port").asInt()).isEqualTo(80);
    assertThat(s.get("retries").asInt()).isEqualTo(5);
    assertThat(s.get("path").isNull()).isTrue();
    assertThat(s.get("tags").isNull()).isTrue();
    assertThat(s.has("client_certificate")).isTrue();
    assertThat(admin.get("/services/defaults-svc").json()).isEqualTo(s);
    assertThat(admin.get("/services/" + s.get("id").asText()).json()).isEqualTo(s);
    assertThat(admin.get("/services/defaults-svc/").status()).isEqualTo(200);
  }

  @Test
  void aStrayPercentInAFormStaysAPercent() {
    // Found by BodiesFuzzTest: Netty's decoder threw on it (a 500); nginx keeps it as it is.
    Reply r = admin.raw("POST", "/services", "application/x-www-form-urlencoded",
        "name=percent-svc&host=example.test&tags[]=100%&tags[]=a%2Db");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("tags").toString()).isEqualTo("[\"100%\",\"a-b\"]");
  }

  @Test
  void multipartWithoutABoundaryIs400() {
    // Found by BodiesFuzzTest: Netty read such a body as a urlencoded form and leaked a buffer
    // when that failed.
    Reply r = admin.raw("POST", "/services", "multipart/form-data", "name=%&host=example.test");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("Cannot parse multipart body");
  }

  @Test
  void jsonAndMultipartBodies() {
    Reply json = admin.json("POST", "/services", "{\"name\":\"json-svc\",\"url\":\"https://api.test:8443/v1\"}");
    assertThat(json.status()).isEqualTo(201);
    assertThat(json.field("protocol")).isEqualTo("https");
    assertThat(json.json().get("port").asInt()).isEqualTo(8443);
    assertThat(json.field("path")).isEqualTo("/v1");
    String boundary = "XyZ";
    String body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmultipart-svc\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"host\"\r\n\r\nmp.test\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"retries\"\r\n\r\n2\r\n--XyZ--\r\n";
    Reply mp = admin.raw("POST", "/services", "multipart/form-data; boundary=" + boundary, body);
    assertThat(mp.status()).isEqualTo(201);
    assertThat(mp.json().get("retries").asInt()).isEqualTo(2);
  }

  @Test
  void schemaViolationShape() {
    Reply r = admin.post("/services", "name=bad-svc", "port=99999");
    assertThat(r.status()).isEqualTo(400);
    JsonNode e = r.json();
    assertThat(e.get("code").asInt()).isEqualTo(2);
    assertThat(e.get("name").asText()).isEqualTo("schema violation");
    assertThat(e.get("message").asText())
        .isEqualTo("2 schema violations (host: required field missing; port: value should be between 0 and 65535)");
    assertThat(e.at("/fields/host").asText()).isEqualTo("required field missing");
    assertThat(admin.get("/services/bad-svc").status()).isEqualTo(404);
  }

  @Test
  void unknownFieldIsRefused() {
    Reply r = admin.json("POST", "/services", "{\"host\":\"a.test\",\"colour\":\"red\"}");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().at("/fields/colour").asText()).isEqualTo("unknown field");
  }

  @Test
  void notFoundAndMethodNotAllowed() {
    assertThat(admin.get("/services/nope").status()).isEqualTo(404);
    assertThat(admin.get("/services/nope").text()).isEqualTo("{\"message\":\"Not found\"}");
    assertThat(admin.get("/no/such/endpoint").text()).isEqualTo("{\"message\":\"Not found\"}");
    assertThat(admin.get("/targets").status()).isEqualTo(404);
    Reply put = admin.put("/services", "host=a.test");
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.text()).isEqualTo("{\"message\":\"Method not allowed\"}");
    assertThat(admin.delete("/routes").status()).isEqualTo(405);
  }

  @Test
  void patchOfAMissingEntityIsADaoNotFound() {
    Reply r = admin.patch("/services/ghost", "retries=1");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().get("code").asInt()).isEqualTo(6);
    assertThat(r.field("message")).isEqualTo("could not find the entity with '{name=\"ghost\"}'");
  }

  @Test
  void duplicateNameIs409() {
    admin.post("/services", "name=dup-svc", "host=a.test");
    Reply r = admin.post("/services", "name=dup-svc", "host=b.test");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.json().get("code").asInt()).isEqualTo(5);
    assertThat(r.field("name")).isEqualTo("unique constraint violation");
    assertThat(r.field("message")).isEqualTo("UNIQUE violation detected on '{name=\"dup-svc\"}'");
    assertThat(r.json().at("/fields/name").asText()).isEqualTo("dup-svc");
  }

  @Test
  void bodiesKongCannotRead() {
    Reply text = admin.raw("POST", "/services", "text/plain", "host=a.test");
    assertThat(text.status()).isEqualTo(415);
    Reply json = admin.raw("POST", "/services", "application/json", "{not json");
    assertThat(json.status()).isEqualTo(400);
    assertThat(json.text()).isEqualTo("{\"message\":\"Cannot parse JSON body\"}");
  }

  @Test
  void patchMergesAndUrlOverwritesAllFourFields() {
    admin.post("/services", "name=patch-svc", "url=http://old.test:81/base");
    Reply r = admin.patch("/services/patch-svc", "url=https://new.test");
    assertThat(r.status()).isEqualTo(200);
    JsonNode s = r.json();
    assertThat(s.get("protocol").asText()).isEqualTo("https");
    assertThat(s.get("host").asText()).isEqualTo("new.test");
    assertThat(s.get("port").asInt()).isEqualTo(443);
    assertThat(s.get("path").isNull()).isTrue();
    assertThat(s.get("updated_at").asLong()).isGreaterThanOrEqualTo(s.get("created_at").asLong());
    Reply cleared = admin.patch("/services/patch-svc", "name=patch-svc", "retries=");
    assertThat(cleared.json().get("retries").isNull()).isTrue();
  }

  @Test
  void patchOfHealthchecksKeepsTheRest() {
    admin.post("/upstreams", "name=hc.test", "healthchecks.active.http_path=/status");
    Reply r = admin.patch("/upstreams/hc.test", "healthchecks.passive.unhealthy.http_failures=3");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().at("/healthchecks/passive/unhealthy/http_failures").asInt()).isEqualTo(3);
    assertThat(r.json().at("/healthchecks/active/http_path").asText()).isEqualTo("/status");
  }

  @Test
  void putCreatesThenReplaces() {
    Reply created = admin.put("/services/put-svc", "host=one.test", "retries=2");
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.field("name")).isEqualTo("put-svc");
    Reply replaced = admin.put("/services/put-svc", "host=two.test");
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(replaced.field("id")).isEqualTo(created.field("id"));
    assertThat(replaced.json().get("retries").asInt()).isEqualTo(5);
    String id = "6f1b5e33-7f4e-4a7e-9b7b-0d0a2c1f9e11";
    Reply byId = admin.put("/services/" + id, "host=three.test");
    assertThat(byId.status()).isEqualTo(200);
    assertThat(byId.field("id")).isEqualTo(id);
  }

  @Test
  void deleteIsIdempotentAndRestrictedByRoutes() {
    admin.post("/services", "name=del-svc", "host=a.test");
    admin.post("/services/del-svc/routes", "paths[]=/del");
    Reply refused = admin.delete("/services/del-svc");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().get("code").asInt()).isEqualTo(4);
    assertThat(refused.field("message")).isEqualTo("an existing 'routes' entity references this 'services' entity");
    assertThat(refused.json().at("/fields/@referenced_by").asText()).isEqualTo("routes");
    assertThat(admin.get("/services/del-svc").status()).isEqualTo(200);
    String routeId = admin.get("/services/del-svc/routes").json().at("/data/0/id").asText();
    assertThat(admin.delete("/routes/" + routeId).status()).isEqualTo(204);
    assertThat(admin.delete("/services/del-svc").status()).isEqualTo(204);
    assertThat(admin.delete("/services/del-svc").status()).isEqualTo(204);
  }

  @Test
  void nestedRoutesAndTheRoutesService() {
    admin.post("/services", "name=nest-a", "host=a.test");
    admin.post("/services", "name=nest-b", "host=b.test");
    Reply route = admin.post("/services/nest-a/routes", "name=nest-route", "paths[]=/nest", "methods=GET");
    assertThat(route.status()).isEqualTo(201);
    assertThat(route.json().get("methods").toString()).isEqualTo("[\"GET\"]");
    String serviceId = admin.get("/services/nest-a").field("id");
    assertThat(route.json().at("/service/id").asText()).isEqualTo(serviceId);
    assertThat(admin.get("/services/nest-a/routes/nest-route").status()).isEqualTo(200);
    assertThat(admin.get("/services/nest-b/routes/nest-route").status()).isEqualTo(404);
    assertThat(admin.get("/routes/nest-route/service").field("name")).isEqualTo("nest-a");
    assertThat(admin.delete("/routes/nest-route/service").status()).isEqualTo(405);
    JsonNode list = admin.get("/services/nest-a/routes").json();
    assertThat(list.get("data")).hasSize(1);
    assertThat(admin.get("/services/nope/routes").status()).isEqualTo(404);
  }

  @Test
  void routeValidationErrors() {
    Reply empty = admin.post("/routes", "name=empty-route");
    assertThat(empty.status()).isEqualTo(400);
    assertThat(empty.field("message"))
        .isEqualTo(
            "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')");
    Reply ghost = admin.json("POST", "/routes", "{\"paths\":[\"/g\"],\"service\":{\"name\":\"non-existing\"}}");
    assertThat(ghost.status()).isEqualTo(400);
    assertThat(ghost.json().get("code").asInt()).isEqualTo(13);
    assertThat(ghost.field("message"))
        .isEqualTo(
            "foreign key unresolved (service.name: the foreign key cannot be resolved with '{name=\"non-existing\"}'"
                + " for an existing 'services' entity)");
    Reply badRef =
        admin.json("POST", "/routes", "{\"paths\":[\"/g\"],\"service\":{\"id\":\"7d1d1d1d-0000-4000-8000-000000000000\"}}");
    assertThat(badRef.json().get("code").asInt()).isEqualTo(4);
    assertThat(badRef.field("message"))
        .isEqualTo(
            "the foreign key '{id=\"7d1d1d1d-0000-4000-8000-000000000000\"}' does not reference an existing 'services' entity.");
  }

  @Test
  void paginationFollowsNextUntilNull() {
    for (int i = 0; i < 5; i++) {
      admin.post("/upstreams", "name=page" + i + ".test", "tags=paging");
    }
    List<String> names = new ArrayList<>();
    String next = "/upstreams?tags=paging&size=2";
    int pages = 0;
    while (next != null) {
      JsonNode page = admin.get(next).json();
      page.get("data").forEach(u -> names.add(u.get("name").asText()));
      pages++;
      if (page.get("next").isNull()) {
        assertThat(page.has("offset")).isFalse();
        next = null;
      } else {
        next = page.get("next").asText();
        assertThat(next).startsWith("/upstreams?offset=").endsWith("&tags=paging&size=2");
      }
    }
    assertThat(pages).isEqualTo(3);
    assertThat(names).hasSize(5).doesNotHaveDuplicates();
  }

  @Test
  void paginationErrors() {
    Reply size = admin.get("/services?size=abc");
    assertThat(size.status()).isEqualTo(400);
    assertThat(size.text()).isEqualTo("{\"code\":9,\"name\":\"invalid size\",\"message\":\"size must be a number\"}");
    assertThat(admin.get("/services?size=0").field("message")).isEqualTo("size must be an integer between 1 and 1000");
    assertThat(admin.get("/services?size=1001").status()).isEqualTo(400);
    Reply offset = admin.get("/services?offset=xyz");
    assertThat(offset.status()).isEqualTo(400);
    assertThat(offset.json().get("code").asInt()).isEqualTo(7);
    assertThat(offset.field("message")).isEqualTo("'xyz' is not a valid offset: bad base64 encoding");
  }

  @Test
  void emptyListShape() {
    assertThat(admin.get("/upstreams?tags=nothing-has-this").text()).isEqualTo("{\"data\":[],\"next\":null}");
  }

  @Test
  void tagFilters() {
    admin.post("/services", "name=tag-ab", "host=a.test", "tags[]=ta", "tags[]=tb");
    admin.post("/services", "name=tag-a", "host=a.test", "tags[]=ta");
    admin.post("/services", "name=tag-c", "host=a.test", "tags[]=tc");
    assertThat(names(admin.get("/services?tags=ta,tb").json())).containsExactly("tag-ab");
    assertThat(names(admin.get("/services?tags=ta").json())).containsExactlyInAnyOrder("tag-ab", "tag-a");
    assertThat(names(admin.get("/services?tags=tb/tc").json())).containsExactlyInAnyOrder("tag-ab", "tag-c");
    Reply mixed = admin.get("/services?tags=ta,tb/tc");
    assertThat(mixed.status()).isEqualTo(400);
    assertThat(mixed.text())
        .isEqualTo(
            "{\"code\":11,\"name\":\"invalid options\",\"message\":\"invalid option (tags: invalid filter syntax)\","
                + "\"options\":{\"tags\":\"invalid filter syntax\"}}");
    assertThat(admin.get("/services?tags=").field("message")).isEqualTo("invalid option (tags: cannot be null)");
    assertThat(admin.get("/services?tags=a,b,c,d,e,f").field("message"))
        .isEqualTo("invalid option (tags: cannot query more than 5 tags)");
  }

  private static List<String> names(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.get("data").forEach(e -> out.add(e.get("name").asText()));
    return out;
  }

  @Test
  void targetsUnderAnUpstream() {
    admin.post("/upstreams", "name=targets.test");
    Reply t = admin.post("/upstreams/targets.test/targets", "target=konghq.test");
    assertThat(t.status()).isEqualTo(201);
    assertThat(t.field("target")).isEqualTo("konghq.test:8000");
    assertThat(t.json().get("weight").asInt()).isEqualTo(100);
    assertThat(t.json().get("created_at").toString()).matches("\\d+(\\.\\d{1,3})?");
    assertThat(admin.post("/upstreams/targets.test/targets", "target=konghq.test:8000").status()).isEqualTo(409);
    Reply zero = admin.post("/upstreams/targets.test/targets", "target=10.0.0.1:80", "weight=0");
    assertThat(zero.status()).isEqualTo(201);
    assertThat(admin.get("/upstreams/targets.test/targets/10.0.0.1:80").json().get("weight").asInt()).isEqualTo(0);
    assertThat(admin.post("/upstreams/targets.test/targets", "target=a.test", "weight=65536").json().at("/fields/weight").asText())
        .isEqualTo("value should be between 0 and 65535");
    assertThat(admin.post("/upstreams/targets.test/targets").json().at("/fields/target").asText())
        .isEqualTo("required field missing");
    assertThat(admin.post("/upstreams/targets.test/targets", "target=not valid").json().at("/fields/target").asText())
        .isEqualTo("Invalid target ('not valid'); not a valid hostname or ip address");
    assertThat(admin.get("/upstreams/targets.test/targets").json().get("data")).hasSize(2);
    assertThat(admin.get("/upstreams/targets.test/targets/").json().get("data")).hasSize(2);
    assertThat(admin.get("/upstreams/targets.test/targets/all").json().get("data")).hasSize(2);
    assertThat(admin.patch("/upstreams/targets.test/targets/10.0.0.1:80", "weight=5").json().get("weight").asInt())
        .isEqualTo(5);
    assertThat(admin.delete("/upstreams/targets.test/targets/10.9.9.9:80").status()).isEqualTo(404);
    assertThat(admin.delete("/upstreams/targets.test/targets/10.0.0.1:80").status()).isEqualTo(204);
    assertThat(admin.put("/upstreams/targets.test/targets", "target=x.test").status()).isEqualTo(405);
    assertThat(admin.delete("/upstreams/targets.test/targets").status()).isEqualTo(405);
    assertThat(admin.delete("/upstreams/targets.test").status()).isEqualTo(204);
    assertThat(admin.get("/upstreams/targets.test/targets").status()).isEqualTo(404);
  }

  @Test
  void targetListIsNewestFirstWithNumericOffsets() {
    admin.post("/upstreams", "name=order.test");
    for (int i = 1; i <= 3; i++) {
      admin.post("/upstreams/order.test/targets", "target=10.0.0." + i + ":80");
    }
    JsonNode page = admin.get("/upstreams/order.test/targets?size=2").json();
    assertThat(page.at("/data/0/target").asText()).isEqualTo("10.0.0.3:80");
    assertThat(page.get("offset").asText()).isEqualTo("2");
    assertThat(page.get("next").asText()).isEqualTo("/upstreams/order.test/targets?offset=2");
    JsonNode rest = admin.get(page.get("next").asText()).json();
    assertThat(rest.at("/data/0/target").asText()).isEqualTo("10.0.0.1:80");
    assertThat(rest.get("next").isNull()).isTrue();
  }

  @Test
  void upstreamDefaultsAndBounds() {
    Reply u = admin.post("/upstreams", "name=defaults.test");
    assertThat(u.json().get("slots").asInt()).isEqualTo(10000);
    assertThat(u.field("hash_on")).isEqualTo("none");
    assertThat(u.field("algorithm")).isEqualTo("round-robin");
    assertThat(admin.post("/upstreams", "name=slots.test", "slots=9").json().at("/fields/slots").asText())
        .isEqualTo("value should be between 10 and 65536");
    assertThat(admin.post("/upstreams", "name=slots2.test", "slots=65536").status()).isEqualTo(201);
    Reply hashed = admin.post("/upstreams", "name=hash.test", "hash_on=consumer", "hash_fallback=ip", "slots=10");
    assertThat(hashed.field("algorithm")).isEqualTo("consistent-hashing");
  }

  @Test
  void optionsListsTheMethods() {
    Reply r = admin.raw("OPTIONS", "/services", null, "");
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.header("allow")).isEqualTo("GET, HEAD, OPTIONS, POST");
    assertThat(r.header("access-control-allow-methods")).isEqualTo("GET, HEAD, OPTIONS, POST");
  }

  @Test
  void aCorsPreflightSucceedsOnAnyPathAndEchoesTheRequestedHeaders() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (String path : new String[] {"/services", "/no/such/path"}) {
      java.net.http.HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(node.adminUrl() + path))
          .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
          .header("Origin", "http://manager.test:8002")
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "content-type,x-custom")
          .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(204);
      assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("http://manager.test:8002");
      assertThat(r.headers().firstValue("access-control-allow-credentials")).hasValue("true");
      assertThat(r.headers().firstValue("access-control-allow-headers")).hasValue("content-type,x-custom");
      assertThat(r.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("POST");
    }
  }

  @Test
  void endpointsListsTemplates() {
    JsonNode e = admin.get("/endpoints").json();
    assertThat(e.get("data").toString())
        .contains("\"/services/{key}/\"".replace("/\"", "\""))
        .contains("/upstreams/{parent}/targets/all");
  }

  @Test
  void deletingAParentThroughItsChildIsNotAllowedAndAMissingChildIsNotFound() {
    assertThat(admin.delete("/routes/no-such-route/service").status()).isEqualTo(404);
    admin.post("/services", "name=del-through", "url=http://example.com");
    admin.post("/services/del-through/routes", "name=del-through-r", "paths[]=/dt");
    assertThat(admin.delete("/routes/del-through-r/service").status()).isEqualTo(405);
    assertThat(admin.get("/services/del-through").status()).isEqualTo(200);
    admin.post("/routes", "name=del-lonely", "paths[]=/lonely");
    assertThat(admin.delete("/routes/del-lonely/service").status()).isEqualTo(404);
  }

  @Test
  void anEmptyObjectIsTakenAsAnEmptyArrayAsLuaClientsSendIt() {
    Reply r = admin.json("POST", "/services", "{\"name\":\"lua-empty\",\"url\":\"http://example.com\",\"tags\":{}}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("tags").isArray()).isTrue();
    assertThat(r.json().get("tags")).isEmpty();
    Reply notEmpty = admin.json("POST", "/services", "{\"name\":\"lua-obj\",\"url\":\"http://example.com\",\"tags\":{\"a\":1}}");
    assertThat(notEmpty.status()).isEqualTo(400);
  }

  @Test
  void anEntityNamedInRawUtf8IsFound() throws Exception {
    assertThat(admin.post("/services", "name=sérvicé-ñ", "url=http://example.com").status()).isEqualTo(201);
    // A raw request: java.net.http would percent-encode the path.
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", java.net.URI.create(node.adminUrl()).getPort())) {
      s.getOutputStream().write(("GET /services/sérvicé-ñ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 200").contains("\"name\":\"sérvicé-ñ\"");
    }
    assertThat(admin.get("/services/s%C3%A9rvic%C3%A9-%C3%B1").status()).isEqualTo(200);
  }

  @Test
  void aNestedServiceIsValidatedAsARecord() {
    Reply bad = admin.json("POST", "/routes", "{\"paths\":[\"/rec\"],\"service\":{\"id\":\"nope\",\"port\":1}}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().at("/fields/service/id").asText()).isEqualTo("expected a valid UUID");
    assertThat(bad.json().at("/fields/service/port").asText()).isEqualTo("unknown field");
    Reply noId = admin.json("POST", "/routes", "{\"paths\":[\"/rec\"],\"service\":{}}");
    assertThat(noId.json().at("/fields/service/id").asText()).isEqualTo("missing primary key");
  }

  @Test
  void grpcRoutesFollowKongsGrpcRules() {
    Reply route = admin.post("/routes", "name=grpc-r", "protocols[]=grpc", "paths[]=/grpc.Svc");
    assertThat(route.status()).isEqualTo(201);
    assertThat(route.json().get("strip_path").asBoolean()).isFalse();
    Reply stripped = admin.post("/routes", "protocols[]=grpc", "paths[]=/g2", "strip_path=true");
    assertThat(stripped.json().at("/fields/strip_path").asText())
        .isEqualTo("cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'");
    assertThat(admin.post("/routes", "protocols[]=grpc").json().at("/fields/@entity/0").asText())
        .isEqualTo("must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'");
    assertThat(admin.post("/routes", "protocols[]=grpcs").json().at("/fields/@entity/0").asText())
        .isEqualTo("must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'");
  }
}
