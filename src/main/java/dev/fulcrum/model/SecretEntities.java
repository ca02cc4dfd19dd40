package dev.fulcrum.model;

import static dev.fulcrum.model.Field.foreign;
import static dev.fulcrum.model.Field.record;
import static dev.fulcrum.model.Field.set;
import static dev.fulcrum.model.Field.string;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kong's vaults (where {@code {vault://...}} references in plugin configs are read from), and its
 * keys and key sets (JWK or PEM keys for plugins that sign or verify).
 */
public final class SecretEntities {
  private SecretEntities() {}

  /** Kong's Lua pattern {@code ^[a-z][a-z%d-]-[a-z%d]+$}. */
  private static final Pattern VAULT_PREFIX = Pattern.compile("^[a-z][a-z0-9-]*[a-z0-9]+$");
  /** Kong's env vault's {@code config.prefix}: {@code ^[%a_-][%a%d_-]*$}. */
  private static final Pattern ENV_PREFIX = Pattern.compile("^[A-Za-z_-][A-Za-z0-9_-]*$");

  private static Field tags() {
    return set("tags", string("tag").required().check(Validators.TAG));
  }

  private static Field matching(String name, Pattern pattern) {
    return string(name).check(v -> pattern.matcher(v.asText()).matches() ? null : "invalid value: " + v.asText());
  }

  private static List<Field> vaultFields(Field config) {
    return List.of(
        Field.uuid("id"),
        matching("prefix", VAULT_PREFIX).required()
            .check(v -> v.asText().equals("env") ? "must not be one of: env" : null),
        string("name").required(),
        string("description"),
        config,
        Field.timestamp("created_at"),
        Field.timestamp("updated_at"),
        tags());
  }

  /** The env vault: {@code config.prefix} is put before the names it reads. */
  private static final Schema ENV_VAULT =
      new Schema(vaultFields(record("config", matching("prefix", ENV_PREFIX))
          .defaults(Json.object().putNull("prefix")).required()), List.of(), List.of());

  public static final EntityType VAULTS =
      new EntityType(
          "vaults",
          "prefix",
          new Schema(
              vaultFields(record("config")),
              List.of(),
              List.of(),
              new Schema.Subschemas() {
                @Override
                public String key() {
                  return "name";
                }

                @Override
                public Schema forKey(String value) {
                  return value.equals("env") ? ENV_VAULT : null;
                }

                @Override
                public String unknown(String value) {
                  return "vault '" + value + "' is not installed";
                }
              }),
          List.of("prefix"),
          List.of(),
          List.of());

  public static final EntityType KEY_SETS =
      new EntityType(
          "key_sets",
          "name",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  string("name").lenMin(1),
                  tags(),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at")),
              List.of(),
              List.of()),
          List.of("name"),
          List.of(),
          List.of());

  public static final EntityType KEYS =
      new EntityType(
          "keys",
          "name",
          new Schema(
              List.of(
                  Field.uuid("id"),
                  foreign("set", "key_sets"),
                  string("name").lenMin(1),
                  string("kid").required(),
                  string("jwk"),
                  record("pem", string("private_key"), string("public_key")),
                  tags(),
                  Field.timestamp("created_at"),
                  Field.timestamp("updated_at")),
              List.of(SecretEntities::oneKeyFormat),
              List.of()),
          List.of("name"),
          List.of(),
          List.of(new EntityType.ForeignKey("set", "key_sets", true)));

  /** Exactly one of jwk and pem, and each well formed, as Kong checks keys. */
  private static void oneKeyFormat(ObjectNode key, FieldErrors errors) {
    boolean jwk = !Json.isNull(key.get("jwk"));
    JsonNode pem = key.get("pem");
    boolean hasPem = !Json.isNull(pem) && pem.isObject()
        && (!Json.isNull(pem.get("private_key")) || !Json.isNull(pem.get("public_key")));
    if (jwk && hasPem) {
      errors.entity("only one or none of these fields must be set: 'jwk', 'pem'");
      return;
    }
    if (!jwk && !hasPem) {
      errors.entity("at least one of these fields must be non-empty: 'jwk', 'pem'");
      return;
    }
    if (jwk) {
      String text = key.get("jwk").asText();
      if (Vaults.isReference(text)) {
        return;
      }
      JsonNode parsed;
      try {
        parsed = Json.parse(text);
      } catch (java.io.IOException | RuntimeException e) {
        errors.entity("could not json decode jwk string");
        return;
      }
      if (!parsed.isObject()) {
        errors.entity("could not json decode jwk string");
      } else if (!key.get("kid").asText().equals(Json.text(parsed, "kid"))) {
        errors.entity("kid in jwk.kid must be equal to keys.kid");
      }
      return;
    }
    for (String part : List.of("private_key", "public_key")) {
      String v = Json.text(pem, part);
      if (v != null && !Vaults.isReference(v) && !v.contains("-----BEGIN")) {
        errors.entity("need to supply a PEM formatted public and/or private key.");
        return;
      }
    }
  }
}
