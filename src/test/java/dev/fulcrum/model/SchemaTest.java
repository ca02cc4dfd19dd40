package dev.fulcrum.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchemaTest {
  private static ObjectNode validate(EntityType type, String json, FieldErrors errors) {
    ObjectNode input = Json.parseObject(json);
    type.schema().applyShorthands(input);
    return type.schema().validate(input, errors);
  }

  @Test
  void serviceDefaultsMatchKong() {
    FieldErrors errors = new FieldErrors();
    ObjectNode s = validate(Entities.SERVICES, "{\"host\":\"example.com\"}", errors);
    assertThat(errors.isEmpty()).isTrue();
    assertThat(s.get("protocol").asText()).isEqualTo("http");
    assertThat(s.get("port").asInt()).isEqualTo(80);
    assertThat(s.get("retries").asInt()).isEqualTo(5);
    assertThat(s.get("connect_timeout").asInt()).isEqualTo(60000);
    assertThat(s.get("write_timeout").asInt()).isEqualTo(60000);
    assertThat(s.get("read_timeout").asInt()).isEqualTo(60000);
    assertThat(s.get("enabled").asBoolean()).isTrue();
    assertThat(s.get("path").isNull()).isTrue();
    assertThat(s.has("tls_verify")).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "http://service.test/        | http  | service.test | 80  | /",
        "https://service.test/       | https | service.test | 443 | /",
        "http://example.test:443     | http  | example.test | 443 | null",
        "https://example2.test:80/   | https | example2.test | 80 | /",
        "http://example2.test        | http  | example2.test | 80 | null",
        "http://127.0.0.1:9000/a/b   | http  | 127.0.0.1    | 9000 | /a/b",
      })
  void urlShorthandSetsProtocolHostPortAndPath(String url, String protocol, String host, int port, String path) {
    FieldErrors errors = new FieldErrors();
    ObjectNode s = validate(Entities.SERVICES, "{\"url\":\"" + url + "\"}", errors);
    assertThat(errors.isEmpty()).as(errors.summary()).isTrue();
    assertThat(s.get("protocol").asText()).isEqualTo(protocol);
    assertThat(s.get("host").asText()).isEqualTo(host);
    assertThat(s.get("port").asInt()).isEqualTo(port);
    assertThat(Json.text(s, "path")).isEqualTo(path);
    assertThat(s.has("url")).isFalse();
  }

  @Test
  void invalidUrlNamesBothProblems() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.SERVICES, "{\"url\":\"invalid url\"}", errors);
    assertThat(errors.summary())
        .isEqualTo("2 schema violations (host: required field missing; path: should start with: /)");
  }

  @Test
  void typeErrorsUseKongsWording() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.SERVICES, "{\"host\":\"a.com\",\"port\":\"80\",\"retries\":1.5,\"enabled\":\"yes\",\"x\":1}", errors);
    assertThat(Json.write(errors.toJson()))
        .contains("\"port\":\"expected an integer\"")
        .contains("\"retries\":\"expected an integer\"")
        .contains("\"enabled\":\"expected a boolean\"")
        .contains("\"x\":\"unknown field\"");
  }

  @Test
  void rangeAndHostChecks() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.SERVICES, "{\"host\":\"a.com:80\",\"port\":70000}", errors);
    assertThat(errors.summary())
        .isEqualTo("2 schema violations (host: must not have a port; port: value should be between 0 and 65535)");
  }

  @Test
  void emptyRouteNeedsOneMatchingField() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.ROUTES, "{}", errors);
    assertThat(errors.summary())
        .isEqualTo(
            "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')");
    assertThat(errors.toJson().get("@entity").get(0).asText()).startsWith("must set one of");
  }

  @Test
  void routePathsAreCheckedOneByOne() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.ROUTES, "{\"paths\":[\"/ok\",\"nope\",\"/a/../b\"]}", errors);
    assertThat(errors.summary())
        .isEqualTo(
            "2 schema violations (paths.2: should start with: / (fixed path) or ~/ (regex path);"
                + " paths.3: non-normalized path, consider use '/b' instead)");
    assertThat(errors.toJson().get("paths").get(0).isNull()).isTrue();
  }

  @Test
  void routeWildcardHostRules() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.ROUTES, "{\"hosts\":[\"*.a.com\",\"b.*\",\"a.*.com\",\"*.*.com\"]}", errors);
    assertThat(errors.summary())
        .contains("hosts.3: invalid wildcard: must be placed at leftmost or rightmost label")
        .contains("hosts.4: invalid wildcard: must have at most one wildcard")
        .doesNotContain("hosts.1")
        .doesNotContain("hosts.2");
  }

  @Test
  void upstreamHashOnHeaderNeedsTheHeaderName() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.UPSTREAMS, "{\"name\":\"u\",\"hash_on\":\"header\"}", errors);
    assertThat(Json.write(errors.toJson()))
        .contains("\"@entity\":[\"failed conditional validation given value of field 'hash_on'\"]")
        .contains("\"hash_on_header\":\"required field missing\"");
  }

  @Test
  void upstreamShorthandsFollowKong() {
    FieldErrors errors = new FieldErrors();
    ObjectNode u = validate(Entities.UPSTREAMS, "{\"name\":\"u\",\"hash_on\":\"ip\"}", errors);
    assertThat(u.get("algorithm").asText()).isEqualTo("consistent-hashing");
    u = validate(Entities.UPSTREAMS, "{\"name\":\"u\",\"algorithm\":\"least-connections\",\"hash_on\":\"ip\"}", errors);
    assertThat(u.get("hash_on").asText()).isEqualTo("none");
    assertThat(u.get("algorithm").asText()).isEqualTo("least-connections");
    assertThat(errors.isEmpty()).isTrue();
  }

  @Test
  void upstreamNameMustBeAHostname() {
    FieldErrors errors = new FieldErrors();
    validate(Entities.UPSTREAMS, "{\"name\":\"1.2.3.4\"}", errors);
    assertThat(errors.summary()).isEqualTo("schema violation (name: Invalid name ('1.2.3.4'); no ip addresses allowed)");
  }

  @Test
  void healthcheckDefaultsAreFilledInsideAPartialRecord() {
    FieldErrors errors = new FieldErrors();
    ObjectNode u =
        validate(Entities.UPSTREAMS, "{\"name\":\"u\",\"healthchecks\":{\"active\":{\"http_path\":\"/status\"}}}", errors);
    assertThat(errors.isEmpty()).isTrue();
    assertThat(u.at("/healthchecks/active/http_path").asText()).isEqualTo("/status");
    assertThat(u.at("/healthchecks/active/timeout").asInt()).isEqualTo(1);
    assertThat(u.at("/healthchecks/passive/unhealthy/http_statuses").toString()).isEqualTo("[429,500,503]");
    assertThat(u.at("/healthchecks/threshold").asInt()).isEqualTo(0);
  }

  @Test
  void patchMergesRecordsAndReplacesArrays() {
    Schema schema = Entities.UPSTREAMS.schema();
    ObjectNode existing = schema.validate(Json.parseObject("{\"name\":\"u\",\"tags\":[\"a\",\"b\"]}"), new FieldErrors());
    ObjectNode merged =
        schema.mergeWithSchema(
            existing, Json.parseObject("{\"tags\":[\"c\"],\"healthchecks\":{\"passive\":{\"unhealthy\":{\"http_failures\":3}}}}"));
    assertThat(merged.get("tags").toString()).isEqualTo("[\"c\"]");
    assertThat(merged.at("/healthchecks/passive/unhealthy/http_failures").asInt()).isEqualTo(3);
    assertThat(merged.at("/healthchecks/passive/unhealthy/tcp_failures").asInt()).isEqualTo(0);
    assertThat(merged.at("/healthchecks/active/http_path").asText()).isEqualTo("/");
  }

  @Test
  void formValuesAreInferredAgainstTheSchema() {
    ObjectNode form =
        Json.parseObject(
            "{\"port\":\"8080\",\"enabled\":\"false\",\"tags\":\"one\",\"host\":\"h\","
                + "\"ca_certificates\":{\"2\":\"b\",\"1\":\"a\"}}");
    Entities.SERVICES.schema().infer(form);
    assertThat(form.get("port").isIntegralNumber()).isTrue();
    assertThat(form.get("enabled").asBoolean()).isFalse();
    assertThat(form.get("tags").toString()).isEqualTo("[\"one\"]");
    assertThat(form.get("ca_certificates").toString()).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void targetsAreNormalisedWithKongsDefaultPort() {
    assertThat(Entities.normalizeTarget("konghq.test")).isEqualTo("konghq.test:8000");
    assertThat(Entities.normalizeTarget("10.0.0.1:80")).isEqualTo("10.0.0.1:80");
    assertThat(Entities.normalizeTarget("::1")).isEqualTo("[0000:0000:0000:0000:0000:0000:0000:0001]:8000");
    assertThat(Entities.normalizeTarget("[::1]:81")).isEqualTo("[0000:0000:0000:0000:0000:0000:0000:0001]:81");
  }
}
