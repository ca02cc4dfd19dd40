package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kong's "Get Started" load-balancing chapter, word for word, against two local servers. */
class TutorialTest {
  private Backend httpbun;
  private Backend httpbin;
  private TestNode node;

  @BeforeEach
  void setUp() {
    httpbun = Backend.start("httpbun");
    httpbin = Backend.start("httpbin");
    node = TestNode.start();
  }

  @AfterEach
  void tearDown() {
    node.close();
    httpbun.close();
    httpbin.close();
  }

  private void runTutorial(AdminClient admin) {
    assertThat(admin.post("/services", "name=example_service", "url=http://" + httpbun.target()).status())
        .isEqualTo(201);
    assertThat(admin.post("/services/example_service/routes", "paths[]=/mock", "name=example_route").status())
        .isEqualTo(201);
    assertThat(admin.post("/upstreams", "name=example_upstream").status()).isEqualTo(201);
    assertThat(admin.post("/upstreams/example_upstream/targets", "target=" + httpbun.target()).status())
        .isEqualTo(201);
    assertThat(admin.post("/upstreams/example_upstream/targets", "target=" + httpbin.target()).status())
        .isEqualTo(201);
    assertThat(admin.patch("/services/example_service", "host=example_upstream").status()).isEqualTo(200);
  }

  private List<String> servers(int n) {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = Http.get(node.proxyUrl() + "/mock/headers");
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode body = Http.json(r);
      assertThat(body.get("path").asText()).isEqualTo("/headers");
      seen.add(body.get("server").asText());
    }
    return seen;
  }

  @Test
  void requestsAlternateBetweenTheTwoTargets() {
    runTutorial(node.admin());
    List<String> seen = servers(10);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i)).as("request %d after %s", i, seen.get(i - 1)).isNotEqualTo(seen.get(i - 1));
    }
    assertThat(seen).contains("httpbun", "httpbin");
  }

  @Test
  void hostHeaderNamesTheTarget() {
    runTutorial(node.admin());
    JsonNode first = Http.json(Http.get(node.proxyUrl() + "/mock/headers"));
    JsonNode second = Http.json(Http.get(node.proxyUrl() + "/mock/headers"));
    assertThat(List.of(first.at("/headers/host").asText(), second.at("/headers/host").asText()))
        .containsExactlyInAnyOrder(httpbun.target(), httpbin.target());
  }

  @Test
  void serviceWithPlainHostProxiesBeforeTheUpstreamExists() {
    AdminClient admin = node.admin();
    admin.post("/services", "name=example_service", "url=http://" + httpbun.target());
    admin.post("/services/example_service/routes", "paths[]=/mock", "name=example_route");
    assertThat(servers(3)).containsOnly("httpbun");
  }

  @Test
  void configurationSurvivesARestart() {
    runTutorial(node.admin());
    node = node.restart();
    List<String> seen = servers(4);
    assertThat(seen).containsExactlyInAnyOrder("httpbun", "httpbin", "httpbun", "httpbin");
    assertThat(node.admin().get("/services/example_service").field("host")).isEqualTo("example_upstream");
  }
}
