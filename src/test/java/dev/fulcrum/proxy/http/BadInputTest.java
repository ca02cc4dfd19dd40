package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed and ambiguous requests are refused, never forwarded, and the node keeps serving. */
class BadInputTest {
  static Backend backend;
  static TestNode node;

  @BeforeAll
  static void start() {
    backend = Backend.start("b");
    node = TestNode.start();
    node.admin().post("/services", "name=s", "url=http://" + backend.target());
    node.admin().post("/services/s/routes", "paths[]=/");
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  @AfterEach
  void stillServing() {
    assertThat(Http.get(node.proxyUrl() + "/ok").statusCode()).isEqualTo(200);
  }

  private String exchange(String request) {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      return raw.send(request).readAll(2000);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n",
        "GET nopath HTTP/1.1\r\nHost: a\r\n\r\n",
      })
  void refusedWith400AndClosed(String request) {
    int before = backend.hits();
    String response = exchange(request);
    assertThat(RawHttp.status(response)).as(response).isEqualTo(400);
    assertThat(response.toLowerCase()).contains("connection: close");
    assertThat(backend.hits()).isEqualTo(before);
  }

  @Test
  void overlongRequestLineIs414() {
    String response = exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(414);
  }

  @Test
  void oversizedHeadersAre400LikeKong() {
    String response = exchange("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(400);
    assertThat(response).contains("Request header or cookie too large");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() {
    String response =
        exchange(
            "GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    int first = response.indexOf("\"/first\"");
    int second = response.indexOf("\"/second\"");
    int third = response.indexOf("\"/third\"");
    assertThat(first).isPositive();
    assertThat(second).isGreaterThan(first);
    assertThat(third).isGreaterThan(second);
  }

  @Test
  void http10ClientGetsACloseDelimitedBodyForChunkedResponses() {
    String response = exchange("GET /bytes/20000 HTTP/1.0\r\nHost: a\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(200);
    assertThat(response.toLowerCase()).doesNotContain("transfer-encoding");
    assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).hasSize(20000);
  }

  @Test
  void http10KeepAliveIsHonoured() {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      String r = raw.send("GET /a HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n").readAll(500);
      assertThat(RawHttp.status(r)).isEqualTo(200);
      assertThat(r.toLowerCase()).contains("connection: keep-alive");
      String again = raw.send("GET /b HTTP/1.0\r\nHost: a\r\n\r\n").readAll(1000);
      assertThat(RawHttp.status(again)).isEqualTo(200);
      assertThat(raw.closedByServer()).isTrue();
    }
  }
}
