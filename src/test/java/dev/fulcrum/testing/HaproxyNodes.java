package dev.fulcrum.testing;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Nodes running a haproxy.cfg written by the test, on loopback ports the OS picks. */
public final class HaproxyNodes {
  private HaproxyNodes() {}

  /** Writes {@code lines} as {@code dir/haproxy.cfg} and starts a node on it (prefix under dir). */
  public static Node start(Path dir, String... lines) {
    Path cfg = dir.resolve("haproxy.cfg");
    try {
      Files.writeString(cfg, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NodeSettings settings =
        NodeSettings.load(null, Map.of(), Map.of("prefix", dir.resolve("prefix").toString()));
    return Node.start(settings, cfg, Map.of());
  }

  /** The first address a frontend listens on. */
  public static InetSocketAddress frontend(Node node, String name) {
    return node.haproxy().addresses(name).get(0);
  }

  public static SocketAddress stats(Node node) {
    return node.haproxy().statsAddresses().get(0);
  }
}
