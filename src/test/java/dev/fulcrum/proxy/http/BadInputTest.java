package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.RawHttp;
import dev.fulcrum.testing.TestNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and ambiguous requests are refused, never forwarded, and the node keeps serving.
 * Request smuggling has a table of its own, one row per case with the part of RFC 9112 that
 * decides it: each is refused (and the connection closed, so nothing after it is read as a
 * request) or normalised so that the server can read it only one way.
 */
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
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
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

  private static final String POST = "POST /echo HTTP/1.1\r\nHost: a\r\n";

  static Stream<Arguments> refused() {
    return Stream.of(
        // §6.1, §6.3 (3): both framings in one message.
        Arguments.of("6.3(3) CL.TE", 400, POST + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("6.3(3) TE.CL", 400, POST + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
        // §6.3 (4): chunked must be the final coding; anything else is not understood.
        Arguments.of("6.3(4) xchunked", 400, POST + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("6.3(4) chunked, identity", 400, POST + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
        Arguments.of("6.3(4) identity, chunked", 400, POST + "Transfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("6.1 chunked twice", 400,
            POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        Arguments.of("5.1 space before the colon", 400, POST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n"),
        // §6.1: chunked is an HTTP/1.1 coding.
        Arguments.of("6.1 HTTP/1.0 with chunked", 400,
            "POST /echo HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        // §6.3 (5): a Content-Length that is not one plain decimal.
        Arguments.of("6.3(5) two Content-Length", 400, POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
        Arguments.of("6.3(5) Content-Length list", 400, POST + "Content-Length: 5, 5\r\n\r\nhello"),
        Arguments.of("6.3(5) differing Content-Length", 400, POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        Arguments.of("6.3(5) signed Content-Length", 400, POST + "Content-Length: +5\r\n\r\nhello"),
        Arguments.of("6.3(5) hex Content-Length", 400, POST + "Content-Length: 0x5\r\n\r\nhello"),
        Arguments.of("6.3(5) negative Content-Length", 400, POST + "Content-Length: -1\r\n\r\n"),
        // §7.1: chunk-size is hex digits, then optional extensions, then CRLF; data is followed by CRLF.
        Arguments.of("7.1 chunk size not hex", 400, POST + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("7.1 chunk size overflow", 400,
            POST + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("7.1 negative chunk size", 400, POST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("7.1 no CRLF after chunk data", 400,
            POST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"),
        Arguments.of("7.1.1 control byte in a chunk extension", 400,
            POST + "Transfer-Encoding: chunked\r\n\r\n5;a\u0001b\r\nhello\r\n0\r\n\r\n"),
        // §2.2: lines end with CRLF; a bare CR is not allowed.
        Arguments.of("2.2 bare LF line ends", 400, "GET /x HTTP/1.1\nHost: a\n\n"),
        Arguments.of("2.2 bare CR in a header", 400, "GET /x HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n"),
        // RFC 9110 §5.5: no NUL or other controls in field values or names.
        Arguments.of("RFC 9110 5.5 NUL in a value", 400, "GET /x HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n"),
        Arguments.of("RFC 9110 5.5 control in a name", 400, "GET /x HTTP/1.1\r\nHost: a\r\nX\u0001A: b\r\n\r\n"),
        // §3.2: the request target is visible ASCII.
        Arguments.of("3.2 control byte in the target", 400, "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n"),
        Arguments.of("3.2 DEL in the target", 400, "GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n"),
        // §3.2.3, §3.2.4: authority-form is CONNECT's, asterisk-form is OPTIONS'.
        Arguments.of("3.2.3 CONNECT", 400, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        Arguments.of("3.2.4 asterisk-form for GET", 400, "GET * HTTP/1.1\r\nHost: a\r\n\r\n"),
        // §3.2: exactly one Host in HTTP/1.1 and later 1.x.
        Arguments.of("3.2 no Host", 400, "GET /x HTTP/1.1\r\n\r\n"),
        Arguments.of("3.2 two Hosts", 400, "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        Arguments.of("3.2 no Host in HTTP/1.2", 400, "GET /x HTTP/1.2\r\n\r\n"),
        Arguments.of("3.2 Host with a slash", 400, "GET /x HTTP/1.1\r\nHost: a.example/b\r\n\r\n"),
        Arguments.of("3.2 Host with userinfo", 400, "GET /x HTTP/1.1\r\nHost: evil@a.example\r\n\r\n"),
        Arguments.of("3.2 Host with a space", 400, "GET /x HTTP/1.1\r\nHost: a.example b\r\n\r\n"),
        // §2.3, RFC 9110 §6.2: an HTTP/1 connection speaks major version 1.
        Arguments.of("2.3 HTTP/2.0 on an HTTP/1 connection", 505, "GET /x HTTP/2.0\r\nHost: a\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedAndClosed(String rfc, int status, String request) {
    int seen = backend.hits();
    int completed = backend.completed();
    String response = exchange(request);
    assertThat(RawHttp.status(response)).as(response).isEqualTo(status);
    assertThat(response.toLowerCase()).contains("connection: close");
    if (rfc.startsWith("7.1")) {
      // The head went on before the body broke (bodies stream): the server sees it cut short.
      assertThat(backend.completed()).as("the server saw no complete request").isEqualTo(completed);
    } else {
      assertThat(backend.hits()).as("the server saw nothing").isEqualTo(seen);
    }
  }

  /** RFC 9110 §7.6.1: Connection names hop-by-hop fields; the framing of the message is not one of them. */
  @Test
  void connectionNamingTheFramingHeadersDoesNotStripThem() {
    try (RawHttp raw = new RawHttp(node.proxyPort())) {
      raw.send(POST + "Connection: transfer-encoding, content-length\r\nTransfer-Encoding: chunked\r\n\r\n"
          + "5\r\nhello\r\n0\r\n\r\n");
      String first = raw.readResponse();
      assertThat(RawHttp.status(first)).isEqualTo(200);
      assertThat(first).endsWith("hello");
      raw.send(POST + "Connection: content-length\r\nContent-Length: 5\r\n\r\nworld");
      String second = raw.readResponse();
      assertThat(RawHttp.status(second)).isEqualTo(200);
      assertThat(second).endsWith("world");
    }
    // The pooled server connections were left in step: the next request is read as one.
    assertThat(Http.get(node.proxyUrl() + "/after").statusCode()).isEqualTo(200);
  }

  /** §5.2: obs-fold is replaced by a space before the message is forwarded. */
  @Test
  void obsFoldIsNormalisedToOneLine() {
    String response = exchange("GET /fold HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n two\r\nConnection: close\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(200);
    assertThat(backend.lastHeaders().get("x-folded")).containsExactly("one two");
  }

  /** §3.2.2: with an absolute-form target, the target's authority wins over Host. */
  @Test
  void absoluteFormReplacesTheHost() {
    String response = exchange("GET http://target.example/abs HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n");
    assertThat(RawHttp.status(response)).isEqualTo(200);
    assertThat(response).contains("\"path\":\"/abs\"");
    assertThat(backend.lastHeaders()).doesNotContainValue(java.util.List.of("other.example"));
  }
}
