package dev.fulcrum.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Backend;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The balancing algorithms through the proxy, with real requests. */
class BalancingTest {
  static TestNode node;
  static AdminClient admin;
  static Backend a;
  static Backend b;
  static Backend c;

  @BeforeAll
  static void start() {
    node = TestNode.start();
    admin = node.admin();
    a = Backend.start("a");
    b = Backend.start("b");
    c = Backend.start("c");
  }

  @AfterAll
  static void stop() {
    node.close();
    a.close();
    b.close();
    c.close();
  }

  private static void upstream(String name, String path, String... fields) {
    String[] all = new String[fields.length + 1];
    all[0] = "name=" + name;
    System.arraycopy(fields, 0, all, 1, fields.length);
    assertThat(admin.post("/upstreams", all).status()).isEqualTo(201);
    for (Backend x : new Backend[] {a, b, c}) {
      admin.post("/upstreams/" + name + "/targets", "target=" + x.target());
    }
    admin.post("/services", "name=" + name, "host=" + name);
    admin.post("/services/" + name + "/routes", "paths[]=" + path);
  }

  private static String server(HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r).get("server").asText();
  }

  @Test
  void headerHashingIsSticky() {
    upstream("hdr.test", "/hdr", "hash_on=header", "hash_on_header=X-User");
    Set<String> used = new HashSet<>();
    for (int u = 0; u < 30; u++) {
      String first = server(Http.get(node.proxyUrl() + "/hdr", "X-User", "user-" + u));
      for (int i = 0; i < 3; i++) {
        assertThat(server(Http.get(node.proxyUrl() + "/hdr", "X-User", "user-" + u))).isEqualTo(first);
      }
      used.add(first);
    }
    assertThat(used).hasSize(3);
  }

  @Test
  void cookieHashingSetsTheCookieOnceAndSticks() {
    upstream("cookie.test", "/cookie", "hash_on=cookie", "hash_on_cookie=FulcrumSticky", "hash_on_cookie_path=/cookie");
    HttpResponse<String> first = Http.get(node.proxyUrl() + "/cookie");
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).matches("FulcrumSticky=[0-9a-f-]{36}; Path=/cookie; Same-Site=Lax; HttpOnly");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> again = Http.get(node.proxyUrl() + "/cookie", "Cookie", "other=1; " + cookie);
      assertThat(server(again)).isEqualTo(server(first));
      assertThat(again.headers().firstValue("set-cookie")).isEmpty();
    }
  }

  @Test
  void queryArgAndPathAndIpHashing() {
    upstream("query.test", "/query", "hash_on=query_arg", "hash_on_query_arg=id", "hash_fallback=path");
    String byArg = server(Http.get(node.proxyUrl() + "/query/x?id=b&id=a"));
    // Kong sorts repeated values: the same key as id=a,b in the other order.
    assertThat(server(Http.get(node.proxyUrl() + "/query/y?id=a&id=b"))).isEqualTo(byArg);
    String byPath = server(Http.get(node.proxyUrl() + "/query/some/path"));
    for (int i = 0; i < 3; i++) {
      assertThat(server(Http.get(node.proxyUrl() + "/query/some/path"))).isEqualTo(byPath);
    }
    upstream("ip.test", "/ip", "hash_on=ip");
    String byIp = server(Http.get(node.proxyUrl() + "/ip"));
    for (int i = 0; i < 5; i++) {
      assertThat(server(Http.get(node.proxyUrl() + "/ip/" + i))).isEqualTo(byIp);
    }
  }

  @Test
  void uriCaptureHashing() {
    admin.post("/upstreams", "name=cap.test", "hash_on=uri_capture", "hash_on_uri_capture=tenant");
    for (Backend x : new Backend[] {a, b, c}) {
      admin.post("/upstreams/cap.test/targets", "target=" + x.target());
    }
    admin.post("/services", "name=cap", "host=cap.test");
    admin.post("/services/cap/routes", "paths[]=~/t/(?<tenant>[a-z0-9]+)/");
    Map<String, String> seen = new HashMap<>();
    Set<String> used = new HashSet<>();
    for (int t = 0; t < 20; t++) {
      for (int i = 0; i < 3; i++) {
        String s = server(Http.get(node.proxyUrl() + "/t/tenant" + t + "/item" + i));
        String before = seen.putIfAbsent("tenant" + t, s);
        assertThat(before == null ? s : before).isEqualTo(s);
        used.add(s);
      }
    }
    assertThat(used.size()).isGreaterThan(1);
  }

  @Test
  void leastConnectionsFavoursTheFasterTarget() throws Exception {
    try (Backend fast = Backend.start("fast").delay(100); Backend slow = Backend.start("slow").delay(200)) {
      admin.post("/upstreams", "name=lc.test", "algorithm=least-connections");
      admin.post("/upstreams/lc.test/targets", "target=" + fast.target());
      admin.post("/upstreams/lc.test/targets", "target=" + slow.target());
      admin.post("/services", "name=lc", "host=lc.test");
      admin.post("/services/lc/routes", "paths[]=/lc");
      Map<String, Integer> count = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(6);
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
      for (int t = 0; t < 6; t++) {
        pool.execute(
            () -> {
              while (System.nanoTime() < end) {
                count.merge(server(Http.get(node.proxyUrl() + "/lc")), 1, Integer::sum);
              }
            });
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
      // Kong's own test expects a ratio of about 2 (one request in flight lasts half as long).
      double ratio = (double) count.get("fast") / count.get("slow");
      assertThat(ratio).as(count.toString()).isBetween(1.4, 3.0);
    }
  }

  @Test
  void latencyAlgorithmFavoursTheFasterTarget() {
    try (Backend fast = Backend.start("fast"); Backend slow = Backend.start("slow").delay(60)) {
      admin.post("/upstreams", "name=lat.test", "algorithm=latency");
      admin.post("/upstreams/lat.test/targets", "target=" + fast.target());
      admin.post("/upstreams/lat.test/targets", "target=" + slow.target());
      admin.post("/services", "name=lat", "host=lat.test");
      admin.post("/services/lat/routes", "paths[]=/lat");
      Map<String, Integer> count = new HashMap<>();
      for (int i = 0; i < 40; i++) {
        count.merge(server(Http.get(node.proxyUrl() + "/lat")), 1, Integer::sum);
      }
      assertThat(count.get("fast")).as(count.toString()).isGreaterThan(30);
    }
  }
}
