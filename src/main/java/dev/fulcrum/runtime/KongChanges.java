package dev.fulcrum.runtime;

import dev.fulcrum.model.Acl;
import dev.fulcrum.model.BasicAuthCredential;
import dev.fulcrum.model.Consumer;
import dev.fulcrum.model.KeyCredential;
import dev.fulcrum.model.Plugin;
import dev.fulcrum.model.Route;
import dev.fulcrum.model.Service;
import dev.fulcrum.model.Target;
import dev.fulcrum.model.Upstream;
import dev.fulcrum.model.Vault;
import java.util.HashMap;
import java.util.Map;

/**
 * Kong entities written since the last compile, by id: the new version, or null when deleted.
 * The change feed fills it from the change log; the compiler applies it.
 */
public final class KongChanges {
  final Map<String, Service> services = new HashMap<>();
  final Map<String, Route> routes = new HashMap<>();
  final Map<String, Upstream> upstreams = new HashMap<>();
  final Map<String, Target> targets = new HashMap<>();
  final Map<String, Plugin> plugins = new HashMap<>();
  final Map<String, Consumer> consumers = new HashMap<>();
  final Map<String, KeyCredential> keys = new HashMap<>();
  final Map<String, Vault> vaults = new HashMap<>();

  public void vault(String id, Vault v) {
    vaults.put(id, v);
  }
  final Map<String, BasicAuthCredential> basicAuths = new HashMap<>();
  final Map<String, Acl> acls = new HashMap<>();

  public void plugin(String id, Plugin p) {
    plugins.put(id, p);
  }

  public void consumer(String id, Consumer c) {
    consumers.put(id, c);
  }

  public void key(String id, KeyCredential k) {
    keys.put(id, k);
  }

  public void basicAuth(String id, BasicAuthCredential b) {
    basicAuths.put(id, b);
  }

  public void acl(String id, Acl a) {
    acls.put(id, a);
  }

  /**
   * Whether a plugin, consumer, credential or acl changed: the plugin chains are then compiled
   * again.
   */
  boolean pluginsChanged() {
    return !plugins.isEmpty() || !consumers.isEmpty() || !keys.isEmpty() || !basicAuths.isEmpty()
        || !acls.isEmpty() || !vaults.isEmpty();
  }

  public void service(String id, Service s) {
    services.put(id, s);
  }

  public void route(String id, Route r) {
    routes.put(id, r);
  }

  public void upstream(String id, Upstream u) {
    upstreams.put(id, u);
  }

  public void target(String id, Target t) {
    targets.put(id, t);
  }

  public boolean isEmpty() {
    return services.isEmpty() && routes.isEmpty() && upstreams.isEmpty() && targets.isEmpty() && !pluginsChanged();
  }

  public int size() {
    return services.size() + routes.size() + upstreams.size() + targets.size() + plugins.size() + consumers.size()
        + keys.size() + basicAuths.size() + acls.size() + vaults.size();
  }
}
