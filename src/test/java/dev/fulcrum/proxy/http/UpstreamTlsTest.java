package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.conf.SettingsException;
import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TcpServer;
import dev.fulcrum.testing.TestNode;
import dev.fulcrum.testing.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kong's upstream TLS: an https service is proxied over TLS with the Host sent upstream as SNI,
 * tls_verify against lua_ssl_trusted_certificate with the name checked, tls_verify_depth, the
 * client certificate of client_ssl, and connections pooled per TLS settings and server name.
 */
class UpstreamTlsTest {
  @TempDir Path dir;
  @RegisterExtension final Closer closer = new Closer();
  private TestPki pki;
  private TestPki.Issued localhost;

  @BeforeEach
  void certificates() {
    pki = TestPki.create(dir.resolve("pki"));
    localhost = pki.leaf("localhost", pki.root(), "localhost", "127.0.0.1");
  }

  private TestNode node(Map<String, String> settings) {
    return closer.add(TestNode.start(settings));
  }

  private Backend https(TestPki.Issued cert) {
    return closer.add(Backend.startHttps("tls", cert.serverContext(), false));
  }

  /** A service named {@code name} (fields as the Admin API takes them) and a route /{@code name} to it. */
  private static void service(AdminClient admin, String name, String... fields) {
    String[] all = new String[fields.length + 1];
    all[0] = "name=" + name;
    System.arraycopy(fields, 0, all, 1, fields.length);
    assertThat(admin.post("/services", all).status()).isEqualTo(201);
    assertThat(admin.post("/services/" + name + "/routes", "paths[]=/" + name).status()).isEqualTo(201);
  }

  private static JsonNode get(TestNode node, String path) {
    HttpResponse<String> r = Http.get(node.proxyUrl() + path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  private static int status(TestNode node, String path) {
    return Http.get(node.proxyUrl() + path).statusCode();
  }

  @Test
  void anHttpsServiceSpeaksTlsWithTheUpstreamHostAsSni() {
    Backend backend = https(localhost);
    TestNode node = node(Map.of());
    AdminClient admin = node.admin();
    service(admin, "s", "url=https://localhost:" + backend.port());

    JsonNode body = get(node, "/s/a");
    assertThat(body.at("/tls/sni").asText()).isEqualTo("localhost");
    assertThat(body.at("/tls/protocol").asText()).startsWith("TLSv1.");
    assertThat(body.at("/headers/host").asText()).isEqualTo("localhost:" + backend.port());
    // The same connection serves the next request.
    get(node, "/s/b");
    assertThat(backend.connections()).isEqualTo(1);
  }

  @Test
  void trafficMeantForTlsNeverLeavesInCleartext() throws Exception {
    // A plain TCP echo server where the https service points: it must see a TLS ClientHello, never a request line.
    try (TcpServer plain = TcpServer.echo(null)) {
      TestNode node = node(Map.of());
      service(node.admin(), "s", "url=https://127.0.0.1:" + plain.port());
      assertThat(status(node, "/s")).isEqualTo(502);
      await().atMost(Duration.ofSeconds(5)).until(() -> !plain.firstBytes().isEmpty());
      for (String first : plain.firstBytes()) {
        assertThat(first.charAt(0)).as("a TLS handshake record").isEqualTo((char) 0x16);
        assertThat(first).doesNotContain("GET /");
      }
    }
  }

  @Test
  void tlsVerifyChecksTheChainAgainstTheTrustedCasAndTheName() {
    Backend backend = https(localhost);
    TestNode trusting = node(Map.of("lua_ssl_trusted_certificate", pki.rootFile().toString()));
    AdminClient admin = trusting.admin();
    service(admin, "ok", "url=https://localhost:" + backend.port(), "tls_verify=true");
    // The certificate names localhost and 127.0.0.1, not the Host this upstream sends.
    admin.post("/upstreams", "name=elsewhere.test", "host_header=elsewhere.test");
    admin.post("/upstreams/elsewhere.test/targets", "target=127.0.0.1:" + backend.port());
    admin.post("/services", "name=wrongname", "protocol=https", "host=elsewhere.test", "tls_verify=true");
    admin.post("/services/wrongname/routes", "paths[]=/wrongname");
    admin.post("/services", "name=unverified", "protocol=https", "host=elsewhere.test");
    admin.post("/services/unverified/routes", "paths[]=/unverified");

    assertThat(get(trusting, "/ok").at("/tls/sni").asText()).isEqualTo("localhost");
    assertThat(status(trusting, "/wrongname")).isEqualTo(502);
    // tls_verify unset: Kong's default (proxy_ssl_verify off) encrypts without verifying.
    assertThat(get(trusting, "/unverified").at("/tls/sni").asText()).isEqualTo("elsewhere.test");

    // The JDK's trust store does not know the test CA.
    TestNode system = node(Map.of());
    service(system.admin(), "ok", "url=https://localhost:" + backend.port(), "tls_verify=true");
    assertThat(status(system, "/ok")).isEqualTo(502);
  }

  @Test
  void verifyDepthCountsTheCertificatesAboveTheServers() {
    TestPki.Issued intermediate = pki.intermediate("intermediate", pki.root());
    Backend backend = https(pki.leaf("chained", intermediate, "localhost"));
    TestNode node = node(Map.of("lua_ssl_trusted_certificate", pki.rootFile().toString()));
    AdminClient admin = node.admin();
    // lua_ssl_verify_depth 1 (the default): the intermediate is one too many.
    service(admin, "d1", "url=https://localhost:" + backend.port(), "tls_verify=true");
    service(admin, "d2", "url=https://localhost:" + backend.port(), "tls_verify=true",
        "tls_verify_depth=2");

    assertThat(status(node, "/d1")).isEqualTo(502);
    assertThat(status(node, "/d2")).isEqualTo(200);
  }

  @Test
  void clientSslPresentsTheClientCertificate() {
    TestPki.Issued client = pki.leaf("client", pki.root(), "fulcrum-client");
    Backend backend = closer.add(Backend.startHttps("mtls", localhost.serverContext(pki.root().cert()), true));
    Map<String, String> settings = new HashMap<>();
    settings.put("client_ssl", "on");
    settings.put("client_ssl_cert", client.certFile().toString());
    settings.put("client_ssl_cert_key", client.keyFile().toString());
    TestNode node = node(settings);
    service(node.admin(), "s", "url=https://localhost:" + backend.port());
    assertThat(get(node, "/s").at("/tls/client").asText()).isEqualTo("CN=fulcrum-client");

    TestNode without = node(Map.of());
    service(without.admin(), "s", "url=https://localhost:" + backend.port());
    assertThat(status(without, "/s")).isEqualTo(502);
  }

  @Test
  void connectionsArePooledPerServerName() {
    Backend backend = https(localhost);
    TestNode node = node(Map.of());
    AdminClient admin = node.admin();
    admin.post("/services", "name=s", "url=https://localhost:" + backend.port());
    admin.post("/services/s/routes", "paths[]=/s", "preserve_host=true");

    JsonNode a = Http.json(Http.get(node.proxyUrl() + "/s", "Host", "a.test"));
    JsonNode b = Http.json(Http.get(node.proxyUrl() + "/s", "Host", "b.test"));
    JsonNode a2 = Http.json(Http.get(node.proxyUrl() + "/s", "Host", "a.test"));
    assertThat(a.at("/tls/sni").asText()).isEqualTo("a.test");
    assertThat(b.at("/tls/sni").asText()).isEqualTo("b.test");
    assertThat(a2.at("/tls/sni").asText()).isEqualTo("a.test");
    assertThat(backend.connections()).isEqualTo(2);
  }

  @Test
  void badTlsSettingsStopTheStartNamingTheSetting() throws Exception {
    Path notPem = dir.resolve("not.pem");
    java.nio.file.Files.writeString(notPem, "hello\n");
    assertThatThrownBy(() -> TestNode.start(Map.of("lua_ssl_trusted_certificate", notPem.toString())))
        .isInstanceOf(SettingsException.class)
        .hasMessageStartingWith("lua_ssl_trusted_certificate: ");
    assertThatThrownBy(() -> TestNode.start(Map.of("lua_ssl_trusted_certificate", dir.resolve("missing.pem").toString())))
        .isInstanceOf(SettingsException.class)
        .hasMessage("lua_ssl_trusted_certificate: cannot read " + dir.resolve("missing.pem"));
    assertThatThrownBy(() -> TestNode.start(Map.of("client_ssl", "on")))
        .isInstanceOf(SettingsException.class)
        .hasMessage("client_ssl_cert: must be set when client_ssl is on");
  }

  @Test
  void caCertificatesOnAServiceAreRefusedUntilTheEntityExists() {
    TestNode node = node(Map.of());
    AdminClient.Reply r = node.admin().post("/services", "name=s", "url=https://localhost:1",
        "ca_certificates[]=1b0e2e3a-3ab5-4e69-9fc4-4c5b8c6c5a1e");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("lua_ssl_trusted_certificate");
  }

  @Test
  void aTcpRouteToATlsServiceOriginatesTls() throws Exception {
    Backend backend = https(localhost);
    TestNode node = node(Map.of("stream_listen", "127.0.0.1:0",
        "lua_ssl_trusted_certificate", pki.rootFile().toString()));
    AdminClient admin = node.admin();
    assertThat(admin.post("/services", "name=t", "url=tls://localhost:" + backend.port(), "tls_verify=true").status())
        .isEqualTo(201);
    AdminClient.Reply r = admin.json("POST", "/services/t/routes",
        "{\"protocols\":[\"tcp\"],\"sources\":[{\"ip\":\"127.0.0.0/8\"}]}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    int port = node.node().streamAddresses().get(0).getPort();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      String response = dev.fulcrum.testing.RawHttp.exchange(port,
          "GET /stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertThat(dev.fulcrum.testing.RawHttp.status(response)).isEqualTo(200);
      assertThat(response).contains("\"sni\":\"localhost\"");
    });
  }

  @Test
  void httpsActiveChecksVerifyWithTheTrustedCas() {
    Backend backend = https(localhost);
    TestNode node = node(Map.of("lua_ssl_trusted_certificate", pki.rootFile().toString()));
    AdminClient admin = node.admin();
    admin.post("/upstreams", "name=u", "healthchecks.active.type=https", "healthchecks.active.https_sni=localhost",
        "healthchecks.active.http_path=/health", "healthchecks.active.healthy.interval=0.1",
        "healthchecks.active.healthy.successes=1", "healthchecks.active.unhealthy.interval=0.1",
        "healthchecks.active.unhealthy.tcp_failures=1", "healthchecks.active.unhealthy.http_failures=1");
    admin.post("/upstreams/u/targets", "target=127.0.0.1:" + backend.port());
    await().atMost(Duration.ofSeconds(10)).until(() -> "GET /health HTTP/1.0".equals(backend.lastRequestLine()));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        admin.get("/upstreams/u/health").json().at("/data/0/health").asText().equals("HEALTHY"));
  }
}
