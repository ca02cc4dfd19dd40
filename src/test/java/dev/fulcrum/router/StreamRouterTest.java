package dev.fulcrum.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.model.Net;
import dev.fulcrum.model.Protocol;
import dev.fulcrum.model.Route;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Kong's stream route matching and priority (kong/router/transform.lua stream_get_priority). */
class StreamRouterTest {
  private static Route route(String id, List<Net> sources, List<Net> destinations, double createdAt) {
    return new Route(id, id, Set.of(Protocol.TCP), List.of(), List.of(), List.of(), Map.of(), 426, 0, true, false, List.of(),
        sources, destinations, createdAt, "svc-" + id);
  }

  private static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(ip, port);
  }

  private static String match(StreamRouter r, String src, int srcPort, String dst, int dstPort) {
    Route m = r.match(at(src, srcPort), at(dst, dstPort), route -> true);
    return m == null ? null : m.id();
  }

  @Test
  void specificityDecides() {
    StreamRouter r =
        StreamRouter.compile(
            List.of(
                route("cidr", List.of(new Net("10.0.0.0/8", null)), List.of(), 1),
                route("port", List.of(new Net(null, 5000)), List.of(), 2),
                route("ip", List.of(new Net("10.1.2.3", null)), List.of(), 3),
                route("both", List.of(new Net("10.0.0.0/8", null)), List.of(new Net(null, 9000)), 4)));
    assertThat(match(r, "10.9.9.9", 1, "127.0.0.1", 80)).isEqualTo("cidr");
    assertThat(match(r, "10.9.9.9", 5000, "127.0.0.1", 80)).as("a port beats a CIDR").isEqualTo("port");
    assertThat(match(r, "10.1.2.3", 5000, "127.0.0.1", 80)).as("an exact IP beats a port").isEqualTo("ip");
    assertThat(match(r, "10.1.2.3", 5000, "127.0.0.1", 9000)).as("sources and destinations beat either").isEqualTo("both");
    assertThat(match(r, "192.168.0.1", 1, "127.0.0.1", 80)).isNull();
  }

  @Test
  void ipAndPortOfOneEntryMustBothMatch() {
    StreamRouter r =
        StreamRouter.compile(List.of(route("r", List.of(), List.of(new Net("127.0.0.1", 8443)), 1)));
    assertThat(match(r, "1.1.1.1", 1, "127.0.0.1", 8443)).isEqualTo("r");
    assertThat(match(r, "1.1.1.1", 1, "127.0.0.1", 8444)).isNull();
    assertThat(match(r, "1.1.1.1", 1, "127.0.0.2", 8443)).isNull();
  }

  @Test
  void olderRoutesWinTies() {
    StreamRouter r =
        StreamRouter.compile(
            List.of(route("new", List.of(new Net("127.0.0.1", null)), List.of(), 2),
                route("old", List.of(new Net("127.0.0.1", null)), List.of(), 1)));
    assertThat(match(r, "127.0.0.1", 1, "127.0.0.1", 1)).isEqualTo("old");
  }
}
