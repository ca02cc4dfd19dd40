package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * haproxy.cfg's http-request and http-response rules on the request pipeline: frontend rules run
 * before the switching rules, backend rules after them; deny answers with HAProxy's page; header
 * rules set, add and delete, with log-format values and conditions.
 */
class HttpRulesTest {
  @TempDir static Path dir;
  static Backend api;
  static Backend web;
  static Node node;
  static int port;

  @BeforeAll
  static void start() {
    api = Backend.start("api");
    web = Backend.start("web");
    node =
        HaproxyNodes.start(dir,
            "defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s",
            "frontend fe",
            "  bind 127.0.0.1:0",
            "  http-request deny if { path_beg /admin }",
            "  http-request deny deny_status 429 if { hdr(x-flood) yes }",
            "  http-request set-header X-Route api if { path_beg /v1 }",
            "  http-request add-header X-Client %[src]",
            "  http-request add-header X-Seen \"%[method] %[path]\"",
            "  http-request del-header X-Secret",
            "  http-response set-header X-Served-By fulcrum",
            "  use_backend api if { hdr(x-route) api }",
            "  default_backend web",
            "backend api",
            "  http-request set-header X-Backend-Rule ran",
            "  http-response add-header X-Api yes",
            "  server a 127.0.0.1:" + api.port(),
            "backend web",
            "  server w 127.0.0.1:" + web.port());
    port = HaproxyNodes.frontend(node, "fe").getPort();
  }

  @AfterAll
  static void stop() {
    node.close();
    api.close();
    web.close();
  }

  private static String get(String path, String... headers) {
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    return RawHttp.exchange(port, req.append("\r\n").toString());
  }

  private static JsonNode seen(String response) {
    return Json.parseObject(response.substring(response.indexOf("\r\n\r\n") + 4)).get("headers");
  }

  @Test
  void denyAnswersWithHaproxysPageAndNothingReachesAServer() {
    int before = api.hits() + web.hits();
    String r = get("/admin/users");
    assertThat(RawHttp.status(r)).isEqualTo(403);
    assertThat(r).endsWith("<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
        + "</body></html>\n");
    String flood = get("/page", "X-Flood: yes");
    assertThat(RawHttp.status(flood)).isEqualTo(429);
    assertThat(flood).contains("You have sent too many requests in a given amount of time.");
    assertThat(api.hits() + web.hits()).isEqualTo(before);
    assertThat(RawHttp.status(get("/administrator"))).as("path_beg /admin matches this too").isEqualTo(403);
    assertThat(RawHttp.status(get("/page"))).isEqualTo(200);
  }

  @Test
  void frontendRulesRunBeforeSwitchingAndBackendRulesAfter() {
    String r = get("/v1/users");
    assertThat(RawHttp.header(r, "X-Backend")).as("switched on the header a rule set").isEqualTo("api");
    JsonNode h = seen(r);
    assertThat(h.get("x-route").asText()).isEqualTo("api");
    assertThat(h.get("x-backend-rule").asText()).isEqualTo("ran");
    JsonNode other = seen(get("/v2/users"));
    assertThat(other.has("x-route")).isFalse();
    assertThat(other.has("x-backend-rule")).as("the api backend's rule only").isFalse();
  }

  @Test
  void headerRulesSetAddAndDeleteWithLogFormatValues() {
    JsonNode h = seen(get("/page?q=1", "X-Secret: hush", "X-Client: forged"));
    assertThat(h.has("x-secret")).isFalse();
    assertThat(h.get("x-client").asText()).as("add-header keeps what the client sent").isEqualTo("forged, 127.0.0.1");
    assertThat(h.get("x-seen").asText()).isEqualTo("GET /page");
  }

  @Test
  void responseRulesOfTheBackendThenTheFrontend() {
    String r = get("/v1/x");
    assertThat(RawHttp.header(r, "X-Served-By")).isEqualTo("fulcrum");
    assertThat(RawHttp.header(r, "X-Api")).isEqualTo("yes");
    assertThat(RawHttp.header(get("/page"), "X-Api")).isNull();
  }

  @Test
  void badRulesStopTheFileWithItsLine() throws IOException {
    Path cfg = dir.resolve("bad.cfg");
    Files.writeString(cfg, "frontend f\n  mode http\n  bind 127.0.0.1:0\n  http-request set-header X %[rand]\n");
    assertThatThrownBy(() -> HaproxyConfig.parse(cfg))
        .hasMessageContaining("bad.cfg:4")
        .hasMessageContaining("sample fetch 'rand' is not supported");
    Files.writeString(cfg, "frontend f\n  mode http\n  bind 127.0.0.1:0\n  http-request deny deny_status 299\n");
    assertThatThrownBy(() -> HaproxyConfig.parse(cfg)).hasMessageContaining("bad.cfg:4").hasMessageContaining("299");
    Files.writeString(cfg, "frontend f\n  mode http\n  bind 127.0.0.1:0\n  http-request deny if nope\n");
    assertThatThrownBy(() -> HaproxyConfig.parse(cfg)).hasMessageContaining("no such ACL : 'nope'");
  }
}
