package dev.fulcrum.upstream.balance.haproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.upstream.TargetState;
import dev.fulcrum.upstream.UpstreamTarget;
import dev.fulcrum.upstream.Avoid;
import dev.fulcrum.upstream.Balancer;
import dev.fulcrum.upstream.PickContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HAProxy's pick sequences, from its reg-tests and the live vectors in the reference. */
class HaproxyBalancersTest {
  static UpstreamTarget server(String name, int id, int weight, boolean backup, int maxconn) {
    return new UpstreamTarget(
        name, "127.0.0.1", 9000 + id, weight, id - 1, new TargetState("be|" + name), name, true,
        new UpstreamTarget.ServerOptions(name, id, false, backup, maxconn, 0, 0, false, 0, 2, 3, null, null));
  }

  static List<UpstreamTarget> servers(int... weights) {
    List<UpstreamTarget> out = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      out.add(server("s" + (i + 1), i + 1, weights[i], false, 0));
    }
    return out;
  }

  static List<String> picks(Balancer b, PickContext ctx, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      UpstreamTarget t = b.pick(ctx, Avoid.NONE);
      out.add(t == null ? null : t.options().name());
    }
    return out;
  }

  static PickContext uri(String uri) {
    return new PickContext() {
      @Override
      public String hashValue(dev.fulcrum.model.Upstream.HashSpec spec) {
        return null;
      }

      @Override
      public String uri() {
        return uri;
      }
    };
  }

  static PickContext header(String name, String value) {
    return new PickContext() {
      @Override
      public String hashValue(dev.fulcrum.model.Upstream.HashSpec spec) {
        return null;
      }

      @Override
      public String header(String n) {
        return n.equalsIgnoreCase(name) ? value : null;
      }
    };
  }

  static final HashKey URI_MAP = new HashKey(HashKey.Source.URI, null, false, 0, 0, false, HashKey.Function.SDBM, false);
  static final HashKey URI_CONSISTENT =
      new HashKey(HashKey.Source.URI, null, false, 0, 0, false, HashKey.Function.SDBM, true);

  @Test
  void roundrobinEqualWeightsLikeBalanceRrVtc() {
    assertThat(picks(new Fwrr(servers(1, 1, 1, 1), false), PickContext.NONE, 5))
        .containsExactly("s1", "s2", "s3", "s4", "s1");
  }

  @Test
  void roundrobinWeightedSequences() {
    assertThat(picks(new Fwrr(servers(3, 1), false), PickContext.NONE, 8))
        .containsExactly("s1", "s1", "s1", "s2", "s1", "s1", "s1", "s2");
    assertThat(picks(new Fwrr(servers(1, 2, 3), false), PickContext.NONE, 12))
        .containsExactly("s3", "s2", "s3", "s1", "s3", "s2", "s3", "s2", "s3", "s1", "s3", "s2");
  }

  @Test
  void roundrobinSkipsADownServerAndTakesItBack() {
    List<UpstreamTarget> s = servers(1, 1, 1);
    Fwrr rr = new Fwrr(s, false);
    s.get(1).state().setHealth(false, "test");
    rr.update();
    assertThat(picks(rr, PickContext.NONE, 4)).doesNotContain("s2").containsOnly("s1", "s3");
    s.get(1).state().setHealth(true, "test");
    rr.update();
    assertThat(picks(rr, PickContext.NONE, 6)).contains("s1", "s2", "s3");
  }

  @Test
  void roundrobinFollowsARuntimeWeightChange() {
    List<UpstreamTarget> s = servers(1, 1);
    Fwrr rr = new Fwrr(s, false);
    picks(rr, PickContext.NONE, 4);
    s.get(0).state().setWeightOverride(3);
    rr.update();
    List<String> seq = picks(rr, PickContext.NONE, 40);
    long s1 = seq.stream().filter("s1"::equals).count();
    assertThat(s1).isBetween(28L, 32L);
  }

  @Test
  void roundrobinSkipsSaturatedServers() {
    List<UpstreamTarget> s = List.of(server("s1", 1, 1, false, 1), server("s2", 2, 1, false, 0));
    Fwrr rr = new Fwrr(s, false);
    s.get(0).state().acquired();
    assertThat(picks(rr, PickContext.NONE, 3)).containsOnly("s2");
  }

  @Test
  void staticRrFollowsTheMap() {
    assertThat(picks(new LbMap(servers(3, 1), false, null), PickContext.NONE, 8))
        .containsExactly("s1", "s1", "s1", "s2", "s1", "s1", "s1", "s2");
  }

  @Test
  void sdbmAndFullHashMatchHaproxy() {
    assertThat(HashKey.sdbm("/url1", 0, 5)).isEqualTo(4103199409L);
  }

  @Test
  void everyHashFunctionOverLatin1Bytes() {
    String[] in = {"", "/url1", "/a/b/c?x=1&user=42", "haproxy.1wt.eu", "\u00e9-\u00fc/\u00df", "\u20ac"};
    long[][] expect = {
      {0L, 4103199409L, 3195770832L, 3573640649L, 2082175208L, 63L},
      {5381L, 194222904L, 811758117L, 1429640482L, 412365189L, 177636L},
      {4187620192L, 2463210733L, 3995325245L, 1353059386L, 2851911829L, 1882442405L},
      {0L, 380733385L, 646690213L, 317446440L, 152066252L, 1684325040L},
    };
    HashKey.Function[] functions = HashKey.Function.values();
    for (int f = 0; f < functions.length; f++) {
      HashKey k = new HashKey(HashKey.Source.URI, null, false, 0, 0, false, functions[f], false);
      for (int i = 0; i < in.length; i++) {
        assertThat(k.hash(in[i], 0, in[i].length())).as(functions[f] + " " + in[i]).isEqualTo(expect[f][i]);
      }
    }
  }

  @Test
  void keysHashOnlyThePartTheOptionsSay() {
    HashKey.Function sdbm = HashKey.Function.SDBM;
    String u = "/a/b/c?x=1";
    assertThat(new HashKey(HashKey.Source.URI, null, false, 0, 2, false, sdbm, false).key(uri(u)))
        .as("depth 2").isEqualTo(HashKey.sdbm("/a/b", 0, 4));
    assertThat(new HashKey(HashKey.Source.URI, null, true, 5, 0, false, sdbm, false).key(uri(u)))
        .as("len 5").isEqualTo(HashKey.sdbm("/a/b/", 0, 5));
    assertThat(new HashKey(HashKey.Source.URI, null, true, 0, 0, false, sdbm, false).key(uri(u)))
        .as("whole").isEqualTo(HashKey.sdbm(u, 0, u.length()));
    assertThat(URI_MAP.key(uri(u))).as("path only").isEqualTo(HashKey.sdbm("/a/b/c", 0, 6));
    HashKey param = new HashKey(HashKey.Source.URL_PARAM, "user", false, 0, 0, false, sdbm, false);
    assertThat(param.key(uri("/a?userx=1&user=42&z"))).isEqualTo(HashKey.sdbm("42", 0, 2));
    assertThat(param.key(uri("/a?userx=1"))).isEqualTo(HashKey.NONE);
    assertThat(param.key(uri("/a"))).isEqualTo(HashKey.NONE);
    HashKey domain = new HashKey(HashKey.Source.HDR, "Host", false, 0, 0, true, sdbm, false);
    assertThat(domain.key(header("host", "haproxy.1wt.eu"))).isEqualTo(HashKey.sdbm("1wt", 0, 3));
    assertThat(domain.key(header("host", "localhost"))).isEqualTo(HashKey.sdbm("localhost", 0, 9));
    assertThat(domain.key(header("host", null))).isEqualTo(HashKey.NONE);
  }

  @Test
  void uriMapBasedLikeBalanceUriVtc() {
    LbMap b = new LbMap(servers(1, 1, 1, 1), false, URI_MAP);
    assertThat(b.pick(uri("/url1"), Avoid.NONE).options().name()).isEqualTo("s2");
    assertThat(b.pick(uri("/url1?ignore=this-arg"), Avoid.NONE).options().name()).isEqualTo("s2");
    assertThat(b.pick(uri("/url2"), Avoid.NONE).options().name()).isEqualTo("s3");
    assertThat(b.pick(uri("/url3"), Avoid.NONE).options().name()).isEqualTo("s4");
    assertThat(b.pick(uri("/url4"), Avoid.NONE).options().name()).isEqualTo("s1");
  }

  @Test
  void headerAndUrlParamMapBased() {
    LbMap hdr =
        new LbMap(servers(1, 1, 1, 1), false,
            new HashKey(HashKey.Source.HDR, "X-Key", false, 0, 0, false, HashKey.Function.SDBM, false));
    String[][] expect = {{"a", "s2"}, {"b", "s3"}, {"c", "s4"}, {"d", "s1"}, {"alice", "s1"}, {"bob", "s2"}};
    for (String[] e : expect) {
      assertThat(hdr.pick(header("x-key", e[0]), Avoid.NONE).options().name()).as(e[0]).isEqualTo(e[1]);
    }
    // No header: round robin on the map.
    assertThat(picks(hdr, header("x-key", null), 5)).containsExactly("s1", "s2", "s3", "s4", "s1");
    LbMap param =
        new LbMap(servers(1, 1, 1, 1), false,
            new HashKey(HashKey.Source.URL_PARAM, "user", false, 0, 0, false, HashKey.Function.SDBM, false));
    String[][] users = {{"alice", "s1"}, {"bob", "s2"}, {"carol", "s2"}, {"dave", "s1"}};
    for (String[] u : users) {
      assertThat(param.pick(uri("/?x=1&user=" + u[0]), Avoid.NONE).options().name()).as(u[0]).isEqualTo(u[1]);
    }
  }

  @Test
  void sourceMapBased() {
    LbMap src =
        new LbMap(servers(1, 1, 1, 1), false,
            new HashKey(HashKey.Source.SOURCE, null, false, 0, 0, false, HashKey.Function.SDBM, false));
    PickContext loopback =
        new PickContext() {
          @Override
          public String hashValue(dev.fulcrum.model.Upstream.HashSpec spec) {
            return null;
          }

          @Override
          public int sourceKey() {
            return 0x7f000001;
          }
        };
    assertThat(src.pick(loopback, Avoid.NONE).options().name()).isEqualTo("s2");
  }

  @Test
  void uriConsistentMatchesLiveHaproxy() {
    Chash ch = new Chash(servers(1, 1, 1, 1), false, URI_CONSISTENT, 0);
    String[][] expect = {
      {"/url1", "s2"}, {"/url2", "s1"}, {"/url3", "s3"}, {"/url4", "s1"}, {"/a", "s4"}, {"/b", "s2"}
    };
    for (String[] e : expect) {
      assertThat(ch.pick(uri(e[0]), Avoid.NONE).options().name()).as(e[0]).isEqualTo(e[1]);
    }
  }

  @Test
  void consistentMovesOnlyTheDownServersKeys() {
    List<UpstreamTarget> s = servers(1, 1, 1, 1);
    Chash ch = new Chash(s, false, URI_CONSISTENT, 0);
    List<String> before = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      before.add(ch.pick(uri("/k" + i), Avoid.NONE).options().name());
    }
    s.get(2).state().setHealth(false, "test");
    ch.update();
    for (int i = 0; i < 400; i++) {
      String now = ch.pick(uri("/k" + i), Avoid.NONE).options().name();
      if (!before.get(i).equals("s3")) {
        assertThat(now).isEqualTo(before.get(i));
      } else {
        assertThat(now).isNotEqualTo("s3");
      }
    }
  }

  @Test
  void randomPicksTheLessLoadedOfTwoDraws() {
    List<UpstreamTarget> s = servers(1, 1);
    Chash rnd = new Chash(s, false, null, 2);
    for (int i = 0; i < 5; i++) {
      s.get(0).state().acquired();
    }
    int s2 = 0;
    for (int i = 0; i < 200; i++) {
      if (rnd.pick(PickContext.NONE, Avoid.NONE).options().name().equals("s2")) {
        s2++;
      }
    }
    // s2 wins whenever a draw lands on it: 3 of 4 times with two draws.
    assertThat(s2).isBetween(120, 180);
  }

  @Test
  void leastconnRotatesEquallyLoadedServers() {
    List<UpstreamTarget> s = servers(1, 1, 1);
    Fwlc lc = new Fwlc(s, false);
    List<String> seq = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      UpstreamTarget t = lc.pick(PickContext.NONE, Avoid.NONE);
      t.state().acquired();
      t.state().released();
      seq.add(t.options().name());
    }
    assertThat(seq).containsExactly("s1", "s2", "s3", "s1", "s2", "s3");
    s.get(0).state().acquired();
    s.get(1).state().acquired();
    assertThat(lc.pick(PickContext.NONE, Avoid.NONE).options().name()).isEqualTo("s3");
  }

  @Test
  void firstFillsServersInIdOrder() {
    List<UpstreamTarget> s = List.of(server("a", 1, 1, false, 2), server("b", 2, 1, false, 2));
    First f = new First(s, false);
    assertThat(f.pick(PickContext.NONE, Avoid.NONE).options().name()).isEqualTo("a");
    s.get(0).state().acquired();
    s.get(0).state().acquired();
    assertThat(f.pick(PickContext.NONE, Avoid.NONE).options().name()).isEqualTo("b");
  }

  @Test
  void backupsOnlyWhenNoActiveServerIsLeft() {
    List<UpstreamTarget> s =
        List.of(server("s1", 1, 1, false, 0), server("b1", 2, 1, true, 0), server("b2", 3, 1, true, 0));
    Fwrr rr = new Fwrr(s, false);
    assertThat(picks(rr, PickContext.NONE, 3)).containsOnly("s1");
    s.get(0).state().setHealth(false, "test");
    rr.update();
    assertThat(picks(rr, PickContext.NONE, 4)).containsOnly("b1");
    Fwrr all = new Fwrr(s, true);
    assertThat(picks(all, PickContext.NONE, 4)).containsExactly("b1", "b2", "b1", "b2");
  }
}
