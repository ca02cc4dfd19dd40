package dev.fulcrum.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fulcrum.conf.ListenAddress;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.conf.Version;
import dev.fulcrum.model.Json;
import dev.fulcrum.model.PluginEntities;
import dev.fulcrum.model.PluginSchemas;
import dev.fulcrum.plugin.bundled.Bundled;
import dev.fulcrum.store.Dao;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code GET /} as Kong shapes it, for Kong's tools: a Kong 3.x {@code version} (decK and Kong
 * Manager parse it; Fulcrum's own is {@code fulcrum_version}), the listen settings as lists and
 * listener records, the plugins this node has and those configured in the cluster.
 */
final class NodeInfo {
  /** The Kong release whose Admin API and behaviour Fulcrum follows. */
  static final String KONG_VERSION = "3.10.0";

  private final Dao dao;
  private final NodeSettings settings;

  NodeInfo(Dao dao, NodeSettings settings) {
    this.dao = dao;
    this.settings = settings;
  }

  ObjectNode get() {
    ObjectNode o = Json.object();
    o.put("tagline", "Welcome to fulcrum");
    o.put("version", KONG_VERSION);
    o.put("fulcrum_version", Version.VERSION);
    o.put("edition", "community");
    o.put("hostname", hostname());
    o.put("node_id", dao.store().nodeId());
    ObjectNode timers = o.putObject("timers");
    timers.put("running", 0);
    timers.put("pending", 0);
    ObjectNode plugins = o.putObject("plugins");
    ObjectNode available = plugins.putObject("available_on_server");
    for (String name : PluginSchemas.names()) {
      available.putObject(name).put("version", KONG_VERSION).put("priority", Bundled.priority(name));
    }
    ArrayNode enabled = plugins.putArray("enabled_in_cluster");
    TreeSet<String> inUse = new TreeSet<>();
    dao.all(PluginEntities.PLUGINS).forEach(p -> inUse.add(Json.text(p, "name")));
    inUse.forEach(enabled::add);
    ObjectNode conf = o.putObject("configuration");
    settings.sanitized().forEach(conf::put);
    conf.set("proxy_listen", listenStrings(settings.proxyListen()));
    conf.set("admin_listen", listenStrings(settings.adminListen()));
    conf.set("stream_listen", listenStrings(settings.streamListen()));
    conf.set("proxy_listeners", listeners(settings.proxyListen()));
    conf.set("admin_listeners", listeners(settings.adminListen()));
    conf.set("stream_listeners", listeners(settings.streamListen()));
    conf.putArray("admin_gui_listeners");
    conf.put("role", "traditional");
    conf.put("router_flavor", "traditional_compatible");
    ObjectNode pids = o.putObject("pids");
    long pid = ProcessHandle.current().pid();
    pids.put("master", pid);
    pids.putArray("workers").add(pid);
    return o;
  }

  private static ArrayNode listenStrings(List<ListenAddress> all) {
    ArrayNode out = Json.array();
    all.forEach(a -> out.add(listener(a)));
    return out;
  }

  /** A listen entry as written in kong.conf: address and flags. */
  private static String listener(ListenAddress a) {
    return a + (a.reuseport() ? " reuseport" : "") + (a.proxyProtocol() ? " proxy_protocol" : "")
        + (a.backlog() != ListenAddress.DEFAULT_BACKLOG ? " backlog=" + a.backlog() : "");
  }

  /** Kong's parsed listener records. */
  private static ArrayNode listeners(List<ListenAddress> all) {
    ArrayNode out = Json.array();
    for (ListenAddress a : all) {
      ObjectNode l = out.addObject();
      l.put("ip", a.host());
      l.put("port", a.port());
      l.put("listener", listener(a));
      l.put("ssl", false);
      l.put("http2", false);
      l.put("proxy_protocol", a.proxyProtocol());
      l.put("deferred", false);
      l.put("bind", false);
      l.put("reuseport", a.reuseport());
      if (a.backlog() != ListenAddress.DEFAULT_BACKLOG) {
        l.put("backlog=" + a.backlog(), true);
      }
    }
    return out;
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
