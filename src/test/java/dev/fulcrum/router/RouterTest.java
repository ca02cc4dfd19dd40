package dev.fulcrum.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.model.Protocol;
import dev.fulcrum.model.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterTest {
  private static Route route(String id, List<String> methods, List<String> hosts, List<String> paths,
      Map<String, List<String>> headers, int regexPriority, boolean strip) {
    return new Route(id, id, Set.of(Protocol.HTTP, Protocol.HTTPS), methods, hosts, paths, headers, 426, regexPriority, strip,
        false, List.of(), List.of(), List.of(), 0, "svc");
  }

  private static Route paths(String id, String... paths) {
    return route(id, List.of(), List.of(), List.of(paths), Map.of(), 0, true);
  }

  private static Router router(Route... routes) {
    return Router.compile(List.of(routes));
  }

  private static String match(Router r, String method, String host, String path, String... headers) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    RouteMatch m = r.match(method, host, 80, path, h, route -> true);
    return m == null ? null : m.route().id();
  }

  @Test
  void hostBeatsALongerPath() {
    Router r =
        router(
            route("host", List.of(), List.of("a.test"), List.of(), Map.of(), 0, true),
            paths("path", "/longer/path"));
    assertThat(match(r, "GET", "a.test", "/longer/path")).isEqualTo("host");
    assertThat(match(r, "GET", "b.test", "/longer/path")).isEqualTo("path");
  }

  @Test
  void moreHeadersWin() {
    Router r =
        router(
            route("one", List.of(), List.of(), List.of("/"), Map.of("x-a", List.of("1")), 0, true),
            route("two", List.of(), List.of(), List.of("/"), Map.of("x-a", List.of("1"), "x-b", List.of("2")), 0, true));
    assertThat(match(r, "GET", "", "/", "X-A", "1", "X-B", "2")).isEqualTo("two");
    assertThat(match(r, "GET", "", "/", "X-A", "1")).isEqualTo("one");
    assertThat(match(r, "GET", "", "/")).isNull();
  }

  @Test
  void headerValuesMatchCaseInsensitivelyAndByRegex() {
    Router r =
        router(route("h", List.of(), List.of(), List.of(), Map.of("x-version", List.of("V1", "~*^v2\\.\\d$")), 0, true));
    assertThat(match(r, "GET", "", "/", "X-Version", "v1")).isEqualTo("h");
    assertThat(match(r, "GET", "", "/", "X-Version", "V2.3")).isEqualTo("h");
    assertThat(match(r, "GET", "", "/", "X-Version", "v3")).isNull();
  }

  @Test
  void longerPrefixWins() {
    Router r = router(paths("short", "/a"), paths("long", "/a/b"), paths("root", "/"));
    assertThat(match(r, "GET", "", "/a/b/c")).isEqualTo("long");
    assertThat(match(r, "GET", "", "/a/x")).isEqualTo("short");
    assertThat(match(r, "GET", "", "/zzz")).isEqualTo("root");
  }

  @Test
  void prefixIsAPlainStringPrefix() {
    Router r = router(paths("api", "/api"));
    assertThat(match(r, "GET", "", "/apiv2")).isEqualTo("api");
    assertThat(match(r, "GET", "", "/ap")).isNull();
  }

  @Test
  void regexBeatsPrefixAndRegexPriorityOrdersRegexes() {
    Router r =
        router(
            paths("prefix", "/users"),
            route("low", List.of(), List.of(), List.of("~/users/\\d+"), Map.of(), 0, true),
            route("high", List.of(), List.of(), List.of("~/users/1\\d*"), Map.of(), 10, true));
    assertThat(match(r, "GET", "", "/users/123")).isEqualTo("high");
    assertThat(match(r, "GET", "", "/users/234")).isEqualTo("low");
    assertThat(match(r, "GET", "", "/users/abc")).isEqualTo("prefix");
  }

  @Test
  void regexIsAnchoredAtTheStartOnly() {
    Router r = router(route("re", List.of(), List.of(), List.of("~/v\\d"), Map.of(), 0, true));
    assertThat(match(r, "GET", "", "/v1/anything")).isEqualTo("re");
    assertThat(match(r, "GET", "", "/x/v1")).isNull();
  }

  @Test
  void methodsAddToPriorityAndFilter() {
    Router r =
        router(
            route("get", List.of("GET"), List.of(), List.of("/x"), Map.of(), 0, true),
            paths("any", "/x"));
    assertThat(match(r, "GET", "", "/x")).isEqualTo("get");
    assertThat(match(r, "POST", "", "/x")).isEqualTo("any");
  }

  @Test
  void wildcardHosts() {
    Router r =
        router(
            route("suffix", List.of(), List.of("*.example.test"), List.of(), Map.of(), 0, true),
            route("prefix", List.of(), List.of("example.*"), List.of(), Map.of(), 0, true));
    assertThat(match(r, "GET", "a.example.test", "/")).isEqualTo("suffix");
    assertThat(match(r, "GET", "a.b.example.test", "/")).isEqualTo("suffix");
    assertThat(match(r, "GET", "example.org", "/")).isEqualTo("prefix");
    assertThat(match(r, "GET", "other.org", "/")).isNull();
  }

  @Test
  void plainHostBeatsWildcardHost() {
    Router r =
        router(
            route("wild", List.of(), List.of("*.example.test"), List.of(), Map.of(), 0, true),
            route("plain", List.of(), List.of("a.example.test"), List.of(), Map.of(), 0, true));
    assertThat(match(r, "GET", "a.example.test", "/")).isEqualTo("plain");
  }

  @Test
  void hostWithPortMatchesThatPortOnly() {
    Router r = router(route("p", List.of(), List.of("h.test:8080"), List.of(), Map.of(), 0, true));
    assertThat(r.match("GET", "h.test", 8080, "/", new DefaultHttpHeaders(), route -> true)).isNotNull();
    assertThat(r.match("GET", "h.test", 80, "/", new DefaultHttpHeaders(), route -> true)).isNull();
  }

  @Test
  void tieGoesToTheGreaterRouteId() {
    Router r = router(paths("aaaa", "/same"), paths("bbbb", "/same"));
    assertThat(match(r, "GET", "", "/same")).isEqualTo("bbbb");
  }

  @Test
  void manyRoutesStillPickTheRightOne() {
    Route[] routes = new Route[2000];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = paths(String.format("r%05d", i), "/svc" + i + "/");
    }
    Router r = router(routes);
    assertThat(match(r, "GET", "", "/svc1234/x")).isEqualTo("r01234");
    assertThat(match(r, "GET", "", "/svc1999/")).isEqualTo("r01999");
    assertThat(match(r, "GET", "", "/svc")).isNull();
  }

  /** Kong's strip_path / service.path table (spec 02-router_spec "slash handling", route path /r). */
  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "null, true, /r, /",
        "null, true, /r/, /",
        "null, true, /r/a, /a",
        "null, true, /ra, /a",
        "/s, true, /r, /s",
        "/s, true, /r/, /s/",
        "/s, true, /r/a, /s/a",
        "/s, true, /ra, /s/a",
        "/s/, true, /r, /s",
        "/s/, true, /r/, /s/",
        "/s/, true, /r/a, /s/a",
        "null, false, /r/a, /r/a",
        "/s, false, /r/a, /s/r/a",
        "/s/, false, /r/a, /s/r/a",
        "/s, false, /r, /s/r",
      })
  void upstreamPathFollowsKongsTable(String servicePath, boolean strip, String request, String expected) {
    Router r = router(route("r", List.of(), List.of(), List.of("/r"), Map.of(), 0, strip));
    RouteMatch m = r.match("GET", "", 80, request, new DefaultHttpHeaders(), route -> true);
    assertThat(m.upstreamPath(request, servicePath)).isEqualTo(expected);
  }

  @Test
  void routeWithoutPathsKeepsTheRequestPath() {
    Router r = router(route("h", List.of(), List.of("h.test"), List.of(), Map.of(), 0, true));
    RouteMatch m = r.match("GET", "h.test", 80, "/foo", new DefaultHttpHeaders(), route -> true);
    assertThat(m.upstreamPath("/foo", "/s")).isEqualTo("/s/foo");
    assertThat(m.strippedPrefix()).isNull();
  }

  @Test
  void regexMatchIsStrippedAndCaptured() {
    Router r =
        router(route("re", List.of(), List.of(), List.of("~/users/(?<id>\\d+)"), Map.of(), 0, true));
    RouteMatch m = r.match("GET", "", 80, "/users/42/posts", new DefaultHttpHeaders(), route -> true);
    assertThat(m.captures().group("id")).isEqualTo("42");
    assertThat(m.upstreamPath("/users/42/posts", null)).isEqualTo("/posts");
  }
}
