package dev.fulcrum.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Routes with one plugin each, as the plugin tests set them up through the Admin API. */
public final class PluginRoutes {
  private PluginRoutes() {}

  /** The form fields of a plugin: its name, then {@code config} ("config.x=y" ...). */
  public static String[] fields(String plugin, String... config) {
    String[] fields = new String[config.length + 1];
    fields[0] = "name=" + plugin;
    System.arraycopy(config, 0, fields, 1, config.length);
    return fields;
  }

  /** A route of {@code service} at {@code path} (named after it) with {@code plugin} configured. */
  public static void add(AdminClient admin, String service, String path, String plugin, String... config) {
    String name = path.substring(1);
    assertThat(admin.post("/services/" + service + "/routes", "name=" + name, "paths[]=" + path).status())
        .isEqualTo(201);
    AdminClient.Reply r = admin.post("/routes/" + name + "/plugins", fields(plugin, config));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }
}
