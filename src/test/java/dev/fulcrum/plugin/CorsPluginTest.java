package dev.fulcrum.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.DeadPort;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.PluginRoutes;
import dev.fulcrum.testing.TestNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kong's cors through a node: preflights answered here (or passed on), the headers on proxied
 * responses and on the gateway's own answers, origin matching, and Kong's validation
 * (spec/03-plugins/13-cors).
 */
class CorsPluginTest {
  private static final String DEFAULT_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT";

  private Backend backend;
  private TestNode node;
  private AdminClient admin;

  @BeforeEach
  void setUp() {
    backend = Backend.start("cors");
    node = TestNode.start();
    admin = node.admin();
    assertThat(admin.post("/services", "name=s", "url=http://" + backend.target()).status()).isEqualTo(201);
  }

  @AfterEach
  void tearDown() {
    node.close();
    backend.close();
  }

  /** A route at {@code path} of service {@code s} with cors configured by {@code config}. */
  private void cors(String path, String... config) {
    PluginRoutes.add(admin, "s", path, "cors", config);
  }

  private HttpResponse<String> send(String method, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.proxyUrl() + path))
        .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return Http.send(b.build());
  }

  private HttpResponse<String> preflight(String path, String origin, String... more) {
    String[] headers = new String[more.length + 4];
    headers[0] = "Origin";
    headers[1] = origin;
    headers[2] = "Access-Control-Request-Method";
    headers[3] = "GET";
    System.arraycopy(more, 0, headers, 4, more.length);
    return send("OPTIONS", path, headers);
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private void awaitHeader(String path, String name) {
    await().atMost(Duration.ofSeconds(10)).until(() -> header(send("GET", path, "Origin", "http://x.test"), name) != null);
  }

  @Test
  void answersPreflightsWithKongsDefaults() {
    cors("/c");
    awaitHeader("/c", "Access-Control-Allow-Origin");
    int hits = backend.hits();
    HttpResponse<String> r = preflight("/c", "origin1.test");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(header(r, "Content-Length")).isEqualTo("0");
    assertThat(header(r, "Access-Control-Allow-Methods")).isEqualTo(DEFAULT_METHODS);
    assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(r, "Server")).startsWith("fulcrum/");
    for (String absent : new String[] {"Access-Control-Allow-Headers", "Access-Control-Expose-Headers",
        "Access-Control-Allow-Credentials", "Access-Control-Max-Age", "Vary"}) {
      assertThat(header(r, absent)).as(absent).isNull();
    }
    assertThat(backend.hits()).isEqualTo(hits);

    // The headers the browser asks for are allowed when none are configured.
    HttpResponse<String> asked = preflight("/c", "origin1.test", "Access-Control-Request-Headers", "origin,accepts");
    assertThat(header(asked, "Access-Control-Allow-Headers")).isEqualTo("origin,accepts");

    // Without Access-Control-Request-Method an OPTIONS is no preflight: the server answers it.
    HttpResponse<String> options = send("OPTIONS", "/c/anything", "Origin", "origin1.test");
    assertThat(options.statusCode()).isEqualTo(200);
    assertThat(Http.json(options).path("method").asText()).isEqualTo("OPTIONS");
    assertThat(header(options, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(options, "Access-Control-Allow-Methods")).isNull();
    assertThat(backend.hits()).isEqualTo(hits + 1);
  }

  @Test
  void appliesItsConfigurationToPreflightsAndResponses() {
    cors("/c", "config.origins=example.test", "config.methods=GET", "config.headers[1]=origin",
        "config.headers[2]=type", "config.headers[3]=accepts", "config.exposed_headers=x-auth-token",
        "config.max_age=23", "config.credentials=true");
    awaitHeader("/c", "Access-Control-Expose-Headers");
    HttpResponse<String> pre = preflight("/c", "origin5.test");
    assertThat(pre.statusCode()).isEqualTo(200);
    assertThat(header(pre, "Access-Control-Allow-Methods")).isEqualTo("GET");
    assertThat(header(pre, "Access-Control-Allow-Origin")).isEqualTo("example.test");
    assertThat(header(pre, "Access-Control-Max-Age")).isEqualTo("23");
    assertThat(header(pre, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(pre, "Access-Control-Allow-Headers")).isEqualTo("origin,type,accepts");
    assertThat(header(pre, "Vary")).isEqualTo("Origin");
    assertThat(header(pre, "Access-Control-Expose-Headers")).isNull();

    HttpResponse<String> get = send("GET", "/c");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(header(get, "Access-Control-Allow-Origin")).isEqualTo("example.test");
    assertThat(header(get, "Access-Control-Expose-Headers")).isEqualTo("x-auth-token");
    assertThat(header(get, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(get, "Vary")).isEqualTo("Origin");
    assertThat(header(get, "Access-Control-Allow-Methods")).isNull();
    assertThat(header(get, "Access-Control-Max-Age")).isNull();
  }

  @Test
  void credentialsWithAnyOriginSendTheRequestsOriginBack() {
    cors("/c", "config.origins=*", "config.credentials=true", "config.private_network=true");
    awaitHeader("/c", "Access-Control-Allow-Credentials");
    HttpResponse<String> pre = preflight("/c", "origin5.test", "Access-Control-Request-Private-Network", "true");
    assertThat(header(pre, "Access-Control-Allow-Origin")).isEqualTo("origin5.test");
    assertThat(header(pre, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(pre, "Vary")).isEqualTo("Origin");
    assertThat(header(pre, "Access-Control-Allow-Private-Network")).isEqualTo("true");
    assertThat(header(preflight("/c", "origin5.test"), "Access-Control-Allow-Private-Network")).isNull();

    HttpResponse<String> get = send("GET", "/c", "Origin", "http://www.example.net:3000");
    assertThat(header(get, "Access-Control-Allow-Origin")).isEqualTo("http://www.example.net:3000");
    assertThat(header(get, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(get, "Vary")).isEqualTo("Origin");
    // Without an Origin there is nothing to send back: * stays, without credentials.
    HttpResponse<String> noOrigin = send("GET", "/c");
    assertThat(header(noOrigin, "Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(header(noOrigin, "Access-Control-Allow-Credentials")).isNull();
  }

  @Test
  void matchesOriginsAsKongDoes() {
    cors("/single-host", "config.origins=foo.test");
    cors("/host-regex", "config.origins=foo\\.test");
    cors("/port-regex", "config.origins=(.*[./])?foo\\.test:8000");
    cors("/anchored", "config.origins=^http://(.*[.])?foo\\.test(:(80|90))?$");
    cors("/flat", "config.origins[1]=http://my-site.test", "config.origins[2]=https://my-other-site.test:9000");
    cors("/flat-hosts", "config.origins[1]=example.test", "config.origins[2]=example.org");
    cors("/star", "config.origins[1]=foo.bar", "config.origins[2]=*");
    awaitHeader("/star", "Access-Control-Allow-Origin");

    // A lone plain origin is sent whatever the request says.
    assertThat(allowed("/single-host", "http://evil.test")).isEqualTo("foo.test");
    // A regex without ':' looks at the host only; the answer is the normalised origin.
    assertThat(allowed("/host-regex", "http://foo.test:80")).isEqualTo("http://foo.test");
    assertThat(allowed("/host-regex", "https://foo.test:8000")).isEqualTo("https://foo.test:8000");
    assertThat(allowed("/host-regex", "http://foo.test.evil.test")).isNull();
    assertThat(allowed("/host-regex", "http://evilfoo.test")).isNull();
    // With ':' it looks at scheme, host and port.
    assertThat(allowed("/port-regex", "http://something.foo.test:8000")).isEqualTo("http://something.foo.test:8000");
    assertThat(allowed("/port-regex", "http://foo.test:90")).isNull();
    assertThat(allowed("/anchored", "http://foo.test:90")).isEqualTo("http://foo.test:90");
    assertThat(allowed("/anchored", "https://foo.test:8000")).isNull();
    // Plain entries compare scheme, host and port, the default port dropped.
    assertThat(allowed("/flat", "http://my-site.test")).isEqualTo("http://my-site.test");
    assertThat(allowed("/flat", "http://my-site.test:80")).isEqualTo("http://my-site.test");
    assertThat(allowed("/flat", "http://my-site.test:8000")).isNull();
    assertThat(allowed("/flat", "https://my-site.test")).isNull();
    assertThat(allowed("/flat", "https://my-other-site.test:9000")).isEqualTo("https://my-other-site.test:9000");
    assertThat(allowed("/flat", "http://my-site.test.bad-guys.test")).isNull();
    assertThat(allowed("/flat-hosts", "example.test")).isEqualTo("example.test");
    assertThat(allowed("/flat-hosts", "http://example.test")).isNull();
    assertThat(allowed("/star", "http://www.example.net")).isEqualTo("*");

    // Unless all are allowed, the answer depends on Origin: Vary says so, a refusal too.
    HttpResponse<String> refused = send("GET", "/flat", "Origin", "http://bad-guys.test");
    assertThat(header(refused, "Vary")).isEqualTo("Origin");
    assertThat(header(refused, "Access-Control-Allow-Origin")).isNull();
  }

  private String allowed(String path, String origin) {
    HttpResponse<String> r = preflight(path, origin);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Access-Control-Allow-Methods")).isEqualTo(DEFAULT_METHODS);
    String onGet = header(send("GET", path, "Origin", origin), "Access-Control-Allow-Origin");
    assertThat(onGet).as("GET and preflight agree").isEqualTo(header(r, "Access-Control-Allow-Origin"));
    return onGet;
  }

  @Test
  void preflightContinueLeavesThePreflightToTheServer() {
    cors("/c", "config.origins=example.test", "config.exposed_headers=x-auth-token", "config.preflight_continue=true");
    awaitHeader("/c", "Access-Control-Expose-Headers");
    int hits = backend.hits();
    HttpResponse<String> r = preflight("/c/status/201", "example.test");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(Http.json(r).path("method").asText()).isEqualTo("OPTIONS");
    assertThat(header(r, "Access-Control-Allow-Origin")).isNull();
    assertThat(header(r, "Access-Control-Expose-Headers")).isNull();
    assertThat(backend.hits()).isEqualTo(hits + 1);
  }

  @Test
  void theGatewaysOwnAnswersGetTheHeadersToo() throws Exception {
    cors("/auth", "config.origins=example.test", "config.exposed_headers=x-auth-token");
    admin.post("/routes/auth/plugins", "name=key-auth");
    try (DeadPort dead = DeadPort.open()) {
      admin.post("/services", "name=down", "url=http://127.0.0.1:" + dead.port());
      admin.post("/services/down/routes", "name=down", "paths[]=/down");
      admin.post("/routes/down/plugins", "name=cors", "config.origins=example.test");
      await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", "/down").statusCode() == 502
          && header(send("GET", "/down"), "Access-Control-Allow-Origin") != null);
      HttpResponse<String> down = send("GET", "/down", "Origin", "example.test");
      assertThat(header(down, "Access-Control-Allow-Origin")).isEqualTo("example.test");
      assertThat(header(down, "Vary")).isEqualTo("Origin");
    }
    HttpResponse<String> denied = send("GET", "/auth", "Origin", "example.test");
    assertThat(denied.statusCode()).isEqualTo(401);
    assertThat(header(denied, "Access-Control-Allow-Origin")).isEqualTo("example.test");
    assertThat(header(denied, "Access-Control-Expose-Headers")).isEqualTo("x-auth-token");
    // The server's own 404 is a response like any other.
    cors("/any");
    awaitHeader("/any", "Access-Control-Allow-Origin");
    HttpResponse<String> notFound = send("GET", "/any/status/404");
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(header(notFound, "Access-Control-Allow-Origin")).isEqualTo("*");
  }

  @Test
  void replacesTheServersHeadersAndAddsToItsVary() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", ex -> {
      ex.getResponseHeaders().add("Access-Control-Allow-Origin", "*");
      ex.getResponseHeaders().add("Vary", "Accept-Encoding");
      ex.getResponseHeaders().add("Response-Header", "is-added");
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    try {
      admin.post("/services", "name=own", "url=http://127.0.0.1:" + server.getAddress().getPort());
      admin.post("/services/own/routes", "name=own", "paths[]=/own");
      admin.post("/routes/own/plugins", "name=cors", "config.origins[1]=a.xxx.test",
          "config.origins[2]=allowed-domain.test", "config.credentials=true");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> header(send("GET", "/own"), "Access-Control-Allow-Credentials") != null);
      HttpResponse<String> ok = send("GET", "/own", "Origin", "allowed-domain.test");
      assertThat(header(ok, "Response-Header")).isEqualTo("is-added");
      assertThat(header(ok, "Access-Control-Allow-Origin")).isEqualTo("allowed-domain.test");
      assertThat(ok.headers().allValues("Vary")).containsExactly("Accept-Encoding", "Origin");
      HttpResponse<String> other = send("GET", "/own", "Origin", "disallowed-domain.test");
      assertThat(header(other, "Access-Control-Allow-Origin")).isNull();
      assertThat(header(other, "Access-Control-Allow-Credentials")).isEqualTo("true");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void withoutAllowOriginAbsentARequestWithoutOriginGetsNothing() {
    cors("/absent-off", "config.allow_origin_absent=false", "config.origins=foo.bar",
        "config.exposed_headers=x-auth-token", "config.credentials=true");
    cors("/absent-on", "config.origins=foo.bar", "config.exposed_headers=x-auth-token", "config.credentials=true");
    awaitHeader("/absent-on", "Access-Control-Allow-Origin");
    awaitHeader("/absent-off", "Access-Control-Allow-Origin");
    HttpResponse<String> off = send("GET", "/absent-off");
    assertThat(header(off, "Access-Control-Allow-Origin")).isNull();
    assertThat(header(off, "Access-Control-Allow-Credentials")).isNull();
    assertThat(header(off, "Access-Control-Expose-Headers")).isNull();
    HttpResponse<String> on = send("GET", "/absent-on");
    assertThat(header(on, "Access-Control-Allow-Origin")).isEqualTo("foo.bar");
    assertThat(header(on, "Access-Control-Allow-Credentials")).isEqualTo("true");
    assertThat(header(on, "Access-Control-Expose-Headers")).isEqualTo("x-auth-token");
    // Routes without the plugin are left alone.
    admin.post("/services/s/routes", "name=plain", "paths[]=/plain");
    await().atMost(Duration.ofSeconds(10)).until(() -> send("GET", "/plain").statusCode() == 200);
    assertThat(header(send("GET", "/plain", "Origin", "foo.bar"), "Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void configIsValidatedAsKongDoes() {
    AdminClient.Reply defaults = admin.post("/plugins", "name=cors");
    assertThat(defaults.status()).isEqualTo(201);
    JsonNode config = defaults.json().path("config");
    assertThat(config.path("methods").toString())
        .isEqualTo("[\"GET\",\"HEAD\",\"PUT\",\"PATCH\",\"POST\",\"DELETE\",\"OPTIONS\",\"TRACE\",\"CONNECT\"]");
    assertThat(config.path("credentials").asBoolean()).isFalse();
    assertThat(config.path("private_network").asBoolean()).isFalse();
    assertThat(config.path("preflight_continue").asBoolean()).isFalse();
    assertThat(config.path("allow_origin_absent").asBoolean()).isTrue();
    assertThat(config.path("origins").isNull()).isTrue();
    assertThat(config.path("max_age").isNull()).isTrue();
    admin.delete("/plugins/" + defaults.field("id"));

    AdminClient.Reply regex = admin.post("/plugins", "name=cors", "config.origins[1]=.*.example.com",
        "config.origins[2]=invalid_**regex");
    assertThat(regex.status()).isEqualTo(400);
    assertThat(regex.json().path("fields").path("config").path("origins").toString())
        .isEqualTo("[null,\"'invalid_**regex' is not a valid regex\"]");
    AdminClient.Reply method = admin.post("/plugins", "name=cors", "config.methods=FAKE");
    assertThat(method.json().path("fields").path("config").path("methods").get(0).asText())
        .isEqualTo("expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT");
    assertThat(admin.post("/plugins", "name=cors", "config.origins=(.*[./])?foo\\.test").status()).isEqualTo(201);

    admin.post("/consumers", "username=c");
    AdminClient.Reply consumer = admin.post("/consumers/c/plugins", "name=cors");
    assertThat(consumer.status()).isEqualTo(400);
    assertThat(consumer.json().path("fields").path("consumer").asText()).isEqualTo("value must be null");
    assertThat(admin.get("/plugins").json().path("data")).hasSize(1);
  }
}
