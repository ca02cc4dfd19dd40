package dev.fulcrum.model;

import static dev.fulcrum.model.Field.bool;
import static dev.fulcrum.model.Field.foreign;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.set;
import static dev.fulcrum.model.Field.string;

import java.util.ArrayList;
import java.util.List;

/**
 * Kong's consumers, plugins and the bundled plugins' entities (key-auth and basic-auth
 * credentials, acls). A plugin's {@code config} is shaped by its {@code name}: each bundled plugin
 * has its own schema ({@link PluginSchemas}), picked as Kong picks a subschema.
 */
public final class PluginEntities {
  private PluginEntities() {}

  private static Field tags() {
    return set("tags", string("tag").required().check(Validators.TAG));
  }

  public static final EntityType CONSUMERS =
      new EntityType(
          "consumers",
          "username",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at"),
                  string("username"),
                  string("custom_id"),
                  tags()),
              List.of(Checks.atLeastOneOf(e -> true,
                  "at least one of these fields must be non-empty: %s", "custom_id", "username")),
              List.of()),
          List.of("username", "custom_id"),
          List.of(),
          List.of());

  /** The plugin fields every plugin has; {@code config} is its own. */
  static List<Field> pluginFields(Field config, String... protocols) {
    return pluginFields(config, protocols, protocols);
  }

  /** As above, for a plugin that accepts {@code allowed} protocols and defaults to fewer. */
  static List<Field> pluginFields(Field config, String[] allowed, String[] defaults) {
    List<Field> fields = new ArrayList<>(List.of(
        Field.uuid("id"),
        string("name").required(),
        string("instance_name").check(Validators.UTF8_NAME),
        Field.timestamp("created_at"),
        Field.timestamp("updated_at"),
        foreign("route", "routes"),
        foreign("service", "services"),
        foreign("consumer", "consumers"),
        config,
        set("protocols", string("protocol").oneOf(allowed)).defaultStrings(defaults),
        bool("enabled").defaults(true),
        tags()));
    return fields;
  }

  public static final EntityType PLUGINS =
      new EntityType(
          "plugins",
          "instance_name",
          new Schema(
              pluginFields(record("config"), "grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"),
              List.of(),
              List.of(),
              new Schema.Subschemas() {
                @Override
                public String key() {
                  return "name";
                }

                @Override
                public Schema forKey(String value) {
                  return PluginSchemas.schema(value);
                }

                @Override
                public String unknown(String value) {
                  return "plugin '" + value + "' not enabled; add it to the 'plugins' configuration property";
                }
              }),
          List.of("instance_name"),
          List.of("name", "route", "service", "consumer"),
          List.of(
              new EntityType.ForeignKey("route", "routes", true),
              new EntityType.ForeignKey("service", "services", true),
              new EntityType.ForeignKey("consumer", "consumers", true)));

  public static final EntityType KEYAUTH_CREDENTIALS =
      new EntityType(
          "keyauth_credentials",
          "key",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  foreign("consumer", "consumers").required(),
                  string("key").required(),
                  tags()),
              List.of(),
              List.of()),
          List.of("key"),
          List.of(),
          List.of(new EntityType.ForeignKey("consumer", "consumers", true)));

  /**
   * Kong's basic-auth credentials: the password is stored hashed ({@link BasicAuthPasswords}),
   * so the Admin API shows the hash, as Kong's does.
   */
  public static final EntityType BASICAUTH_CREDENTIALS =
      new EntityType(
          "basicauth_credentials",
          "username",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  foreign("consumer", "consumers").required(),
                  string("username").required().lenMin(1),
                  string("password").required().lenMin(1),
                  tags()),
              List.of(),
              List.of()),
          List.of("username"),
          List.of(),
          List.of(new EntityType.ForeignKey("consumer", "consumers", true)));

  /**
   * Kong's acls: a consumer's membership of a group, once per (consumer, group). Kong gives them
   * no endpoint key: a group names one only within its consumer ({@code /consumers/{c}/acls/{group}}).
   */
  public static final EntityType ACLS =
      new EntityType(
          "acls",
          null,
          new Schema(
              List.of(
                  Field.uuid("id"),
                  Field.timestamp("created_at"),
                  foreign("consumer", "consumers").required(),
                  string("group").required().lenMin(1),
                  tags()),
              List.of(),
              List.of()),
          List.of(),
          List.of("consumer", "group"),
          List.of(new EntityType.ForeignKey("consumer", "consumers", true)));
}
