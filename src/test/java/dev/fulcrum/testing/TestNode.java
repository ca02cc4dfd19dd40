package dev.fulcrum.testing;

import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.server.Node;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A node on loopback ports chosen by the OS, with its own prefix directory. */
public final class TestNode implements AutoCloseable {
  private final Path prefix;
  private final Map<String, String> overrides;
  private Node node;

  private TestNode(Path prefix, Map<String, String> overrides) {
    this.prefix = prefix;
    this.overrides = overrides;
  }

  public static TestNode start() {
    return start(Map.of());
  }

  public static TestNode start(Map<String, String> extra) {
    try {
      return startIn(Files.createTempDirectory("fulcrum-test"), extra);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static TestNode startIn(Path prefix, Map<String, String> extra) {
    return startIn(prefix, extra, null);
  }

  /** A node whose process environment (what vault references read) is {@code env}. */
  public static TestNode startWithEnv(Map<String, String> extra, Map<String, String> env) {
    try {
      return startIn(Files.createTempDirectory("fulcrum-test"), extra, null, env);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A node with the Kong listeners and a haproxy.cfg ({@code cfgLines}) side by side. */
  public static TestNode startWithHaproxy(String... cfgLines) {
    try {
      Path prefix = Files.createTempDirectory("fulcrum-test");
      Path cfg = prefix.resolve("haproxy.cfg");
      Files.writeString(cfg, String.join("\n", cfgLines) + "\n");
      return startIn(prefix, Map.of(), cfg);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TestNode startIn(Path prefix, Map<String, String> extra, Path haproxyCfg) {
    return startIn(prefix, extra, haproxyCfg, Map.of());
  }

  private static TestNode startIn(Path prefix, Map<String, String> extra, Path haproxyCfg, Map<String, String> env) {
    Map<String, String> o = new HashMap<>();
    o.put("prefix", prefix.toString());
    o.put("proxy_listen", "127.0.0.1:0");
    o.put("admin_listen", "127.0.0.1:0");
    o.put("db_update_frequency", "0.2");
    o.put("drain_timeout", "5");
    o.putAll(extra);
    TestNode t = new TestNode(prefix, o);
    t.node = Node.start(NodeSettings.load(null, Map.of(), o), haproxyCfg, env);
    return t;
  }

  /** Stops this node and starts a new one on the same prefix and settings (new ports). */
  public TestNode restart() {
    node.close();
    return startIn(prefix, overrides);
  }

  /** Stops this node, keeping its prefix for a {@link #restart}. */
  public void stopKeepingPrefix() {
    node.close();
  }

  public Node node() {
    return node;
  }

  public Path prefix() {
    return prefix;
  }

  public InetSocketAddress proxyAddress() {
    return node.proxyAddresses().get(0);
  }

  public String proxyUrl() {
    return "http://127.0.0.1:" + proxyAddress().getPort();
  }

  public String adminUrl() {
    return "http://127.0.0.1:" + node.adminAddresses().get(0).getPort();
  }

  public AdminClient admin() {
    return new AdminClient(adminUrl());
  }

  public int proxyPort() {
    return proxyAddress().getPort();
  }

  @Override
  public void close() {
    node.close();
    deleteTree(prefix);
  }

  static void deleteTree(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
