package dev.fulcrum.haproxy;

import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.runtimeapi.RuntimeModel;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The runtime API's view of a node in HAProxy mode: the configuration's proxies in order, then
 * the Kong upstreams numbered after them.
 */
final class Model implements RuntimeModel {
  private final HaproxyRuntime runtime;
  private final Supplier<List<ProxyView>> kong;
  private final Events events;
  private final long startMillis = System.currentTimeMillis();
  private final String hostname = hostname();

  Model(HaproxyRuntime runtime, Supplier<List<ProxyView>> kong, Events events) {
    this.runtime = runtime;
    this.kong = kong;
    this.events = events;
  }

  @Override
  public List<ProxyView> proxies() {
    Compiler.Compiled c = runtime.current();
    List<ProxyView> out = new ArrayList<>();
    int maxId = 1;
    if (c != null) {
      for (ProxyView p : c.views()) {
        out.add(runtime.stopping() && p.frontend() != null
            ? new ProxyView(p.name(), p.id(), p.forcedId(), p.mode(),
                new FrontendView(p.frontend().counters(), p.frontend().limit(), true), p.backend())
            : p);
        maxId = Math.max(maxId, p.id());
      }
    }
    if (kong != null) {
      for (ProxyView p : kong.get()) {
        out.add(new ProxyView(p.name(), ++maxId, false, p.mode(), p.frontend(), p.backend()));
      }
    }
    return out;
  }

  @Override
  public ProcessView process() {
    Compiler.Compiled c = runtime.current();
    String node = c != null && c.config().global().node != null ? c.config().global().node : hostname;
    return new ProcessView(
        runtime.state().global.max(), startMillis, node, null, runtime.options().nbthread(), runtime.listenerCount(),
        runtime.stopping());
  }

  @Override
  public ConnectionLimit globalLimit() {
    return runtime.state().global;
  }

  @Override
  public void serverChanged(ProxyView proxy, ServerView server, Change change) {
    events.adminChanged(server, change);
  }

  /** The host name without a DNS lookup where possible (HAProxy's node default). */
  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h.trim();
    }
    try {
      h = Files.readString(Path.of("/etc/hostname")).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException e) {
      // fall through
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
