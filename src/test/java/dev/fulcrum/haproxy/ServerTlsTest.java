package dev.fulcrum.haproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fulcrum.model.Json;
import dev.fulcrum.server.Node;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Cli;
import dev.fulcrum.testing.Closer;
import dev.fulcrum.testing.HaproxyNodes;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestPki;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * haproxy.cfg's {@code server ... ssl verify none|required ca-file sni crt} and {@code check-ssl},
 * against HTTPS servers made with a test CA.
 */
class ServerTlsTest {
  @TempDir Path dir;
  @RegisterExtension final Closer open = new Closer();
  private TestPki pki;
  private Backend backend;

  @BeforeEach
  void server() {
    pki = TestPki.create(dir.resolve("pki"));
    backend = open.add(Backend.startHttps("tls", pki.leaf("localhost", pki.root(), "localhost").serverContext(), false));
  }

  private Node node(String mode, String... serverLine) {
    List<String> l = new ArrayList<>(List.of(
        "global", "  stats socket ipv4@127.0.0.1:0 level admin",
        "defaults", "  mode " + mode, "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s",
        "listen web", "  bind 127.0.0.1:0"));
    l.addAll(List.of(serverLine));
    return open.add(HaproxyNodes.start(dir, l.toArray(new String[0])));
  }

  private static HttpResponse<String> get(Node n) {
    InetSocketAddress a = HaproxyNodes.frontend(n, "web");
    return Http.get("http://127.0.0.1:" + a.getPort() + "/x", "Host", "localhost");
  }

  @Test
  void sslWithVerifyRequiredCaFileAndSni() {
    Node n = node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify required ca-file " + pki.rootFile()
        + " sni str(localhost)");
    HttpResponse<String> r = get(n);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Http.json(r).at("/tls/sni").asText()).isEqualTo("localhost");
  }

  @Test
  void theNameIsCheckedAgainstTheSni() {
    Node n = node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify required ca-file " + pki.rootFile()
        + " sni str(other.example)");
    assertThat(get(n).statusCode()).isEqualTo(503);
  }

  @Test
  void sniFromTheRequestHostHeader() {
    Node n = node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify none sni req.hdr(host)");
    assertThat(Http.json(get(n)).at("/tls/sni").asText()).isEqualTo("localhost");
  }

  @Test
  void verifyNoneWithoutSniSendsNoName() {
    Node n = node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify none");
    JsonNode body = Http.json(get(n));
    assertThat(body.at("/tls/protocol").asText()).startsWith("TLSv1.");
    assertThat(body.at("/tls/sni").isMissingNode()).isTrue();
  }

  @Test
  void anUntrustedServerIsRefused() {
    TestPki other = TestPki.create(dir.resolve("other"));
    Node n = node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify required ca-file " + other.rootFile());
    assertThat(get(n).statusCode()).isEqualTo(503);
  }

  @Test
  void sslWithoutACaFileIsHaproxysStartUpError() {
    assertThatThrownBy(() -> node("http", "  server s 127.0.0.1:" + backend.port() + " ssl"))
        .isInstanceOf(CfgException.class)
        .hasMessageContaining("server 's': verify is enabled by default but no CA file specified.");
    // ssl-server-verify none makes 'verify none' the default.
    List<String> l = List.of("global", "  ssl-server-verify none", "defaults", "  mode http", "  timeout connect 1s",
        "  timeout client 5s", "  timeout server 5s", "listen web", "  bind 127.0.0.1:0",
        "  server s 127.0.0.1:" + backend.port() + " ssl");
    Node n = open.add(HaproxyNodes.start(dir, l.toArray(new String[0])));
    assertThat(get(n).statusCode()).isEqualTo(200);
  }

  @Test
  void unsupportedSniExpressionsAreNamed() {
    assertThatThrownBy(() -> node("http", "  server s 127.0.0.1:" + backend.port() + " ssl verify none sni ssl_fc_sni"))
        .isInstanceOf(CfgException.class)
        .hasMessageContaining("sni expression 'ssl_fc_sni' is not supported");
  }

  @Test
  void checksOfAnSslServerSpeakTls() {
    Node n = node("http", "  option httpchk GET /health",
        "  server s 127.0.0.1:" + backend.port() + " ssl verify none check inter 100");
    SocketAddress stats = HaproxyNodes.stats(n);
    await().atMost(Duration.ofSeconds(10)).until(() -> row(stats)[17].equals("UP") && row(stats)[36].equals("L7OK"));
    assertThat(backend.lastRequestLine()).isEqualTo("GET /health HTTP/1.0");
  }

  @Test
  void aTlsCheckWithoutHttpchkPassesOnTheHandshake() {
    Node n = node("tcp", "  server s 127.0.0.1:" + backend.port() + " check-ssl verify none check inter 100");
    SocketAddress stats = HaproxyNodes.stats(n);
    await().atMost(Duration.ofSeconds(10)).until(() -> row(stats)[17].equals("UP"));
    // Traffic without 'ssl' stays cleartext: an HTTPS server refuses it; only the checks use TLS.
    assertThat(backend.hits()).isZero();
  }

  @Test
  void tcpModeOriginatesTls() {
    Node n = node("tcp", "  server s 127.0.0.1:" + backend.port() + " ssl verify required ca-file " + pki.rootFile()
        + " sni str(localhost)");
    String response = RawHttp.exchange(HaproxyNodes.frontend(n, "web").getPort(),
        "GET /tcp HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(200);
    JsonNode body = Json.parseObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertThat(body.at("/tls/sni").asText()).isEqualTo("localhost");
  }

  private static String[] row(SocketAddress stats) {
    for (String line : Cli.send(stats, "show stat web 4 -1").split("\n")) {
      String[] c = line.split(",", -1);
      if (c.length > 1 && c[1].equals("s")) {
        return c;
      }
    }
    throw new AssertionError("no server row");
  }

  @Test
  void crtPresentsAClientCertificateFromOnePemFile() throws Exception {
    TestPki.Issued client = pki.leaf("client", pki.root(), "haproxy-client");
    // HAProxy's crt file holds the certificate and its key together.
    Path crt = dir.resolve("client.pem");
    java.nio.file.Files.writeString(crt,
        java.nio.file.Files.readString(client.certFile()) + java.nio.file.Files.readString(client.keyFile()));
    Backend mtls = open.add(Backend.startHttps("mtls",
        pki.leaf("server", pki.root(), "localhost").serverContext(pki.root().cert()), true));
    Node n = node("http", "  server s 127.0.0.1:" + mtls.port() + " ssl verify none crt " + crt);
    assertThat(Http.json(get(n)).at("/tls/client").asText()).isEqualTo("CN=haproxy-client");
  }
}
