package dev.fulcrum.admin;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * The Admin API's body decoders (JSON, form-urlencoded, multipart) take any body and either decode
 * it or refuse it with an Admin API error; nothing else escapes.
 */
class BodiesFuzzTest {
  private static final List<String> TYPES = List.of(
      "application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
      "multipart/form-data", "text/plain");

  @FuzzTest(maxDuration = "60s")
  void anyBody(FuzzedDataProvider data) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, data.pickValue(TYPES));
    byte[] body = data.consumeRemainingAsBytes();
    AdminRequest request = new AdminRequest("POST", "/services", Map.of(), headers, body);
    try {
      Bodies.Decoded d = Bodies.decode(request);
      Bodies.fromPairs(Bodies.pairs(Map.of()));
      d.args().size();
    } catch (AdminException expected) {
      // refused with an answer for the client: fine
    }
  }
}
