package dev.fulcrum.conf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeSettingsTest {
  @TempDir Path dir;

  @Test
  void defaultsAreKongs() {
    NodeSettings s = NodeSettings.defaults();
    assertThat(s.proxyListen()).containsExactly(new ListenAddress("0.0.0.0", 8000, false, 16384, false));
    assertThat(s.adminListen()).containsExactly(new ListenAddress("127.0.0.1", 8001, false, 16384, false));
    assertThat(s.streamListen()).isEmpty();
    assertThat(s.database()).isEqualTo(NodeSettings.Database.EMBEDDED);
    assertThat(s.prefix()).isEqualTo(Path.of("fulcrum-data"));
    assertThat(s.dbUpdateFrequency()).isEqualTo(5.0);
    assertThat(s.dbUpdatePropagation()).isEqualTo(0.0);
    assertThat(s.dbCacheTtl()).isEqualTo(0.0);
    assertThat(s.header("server_tokens")).isTrue();
  }

  @Test
  void fileValuesAndEnvironmentOverrides() throws IOException {
    Path conf = dir.resolve("fulcrum.conf");
    Files.writeString(
        conf,
        "# a comment\n"
            + "proxy_listen = 127.0.0.1:9000, 127.0.0.1:9002 reuseport backlog=128  # trailing\n"
            + "admin_listen = 127.0.0.1:9001\n"
            + "pg_password = se\\#cret\n"
            + "\n"
            + "unknown_thing = 1\n");
    NodeSettings s = NodeSettings.load(conf, Map.of("FULCRUM_ADMIN_LISTEN", "127.0.0.1:9101", "OTHER", "x"), Map.of());
    assertThat(s.proxyListen())
        .containsExactly(
            new ListenAddress("127.0.0.1", 9000, false, 16384, false),
            new ListenAddress("127.0.0.1", 9002, true, 128, false));
    assertThat(s.adminListen()).containsExactly(new ListenAddress("127.0.0.1", 9101, false, 16384, false));
    assertThat(s.get("pg_password")).isEqualTo("se#cret");
    assertThat(s.warnings()).anyMatch(w -> w.contains("unknown setting 'unknown_thing'"));
    assertThat(s.sanitized().get("pg_password")).isEqualTo("******");
  }

  @Test
  void anAdminApiOffLoopbackIsWarnedOf() {
    assertThat(NodeSettings.defaults().warnings()).isEmpty();
    NodeSettings open = NodeSettings.load(null, Map.of("FULCRUM_ADMIN_LISTEN", "0.0.0.0:8001, 127.0.0.1:8444"), Map.of());
    assertThat(open.warnings()).containsExactly("admin_listen: the Admin API listens on 0.0.0.0:8001, which is not a"
        + " loopback address; it has no authentication (as in Kong OSS): whoever reaches it controls this node");
    assertThat(NodeSettings.load(null, Map.of("FULCRUM_ADMIN_LISTEN", "[::1]:8001"), Map.of()).warnings()).isEmpty();
  }

  @Test
  void nginxTimesAndSizes() {
    NodeSettings s = NodeSettings.load(null, Map.of("FULCRUM_NGINX_HTTP_CLIENT_HEADER_TIMEOUT", "500ms",
        "FULCRUM_NGINX_HTTP_CLIENT_BODY_TIMEOUT", "2m", "FULCRUM_NGINX_HTTP_KEEPALIVE_TIMEOUT", "75",
        "FULCRUM_NGINX_ADMIN_CLIENT_MAX_BODY_SIZE", "64k"), Map.of());
    assertThat(s.headerTimeoutMillis()).isEqualTo(500);
    assertThat(s.bodyTimeoutMillis()).isEqualTo(120_000);
    assertThat(s.keepaliveTimeoutMillis()).isEqualTo(75_000);
    assertThat(s.adminMaxBody()).isEqualTo(64 * 1024);
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_NGINX_HTTP_CLIENT_BODY_TIMEOUT", "soon"), Map.of()))
        .hasMessage("nginx_http_client_body_timeout: 'soon' is not a time (expected: 500ms, 60s, 2m, 1h or seconds)");
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_NGINX_ADMIN_CLIENT_MAX_BODY_SIZE", "-1m"), Map.of()))
        .hasMessageStartingWith("nginx_admin_client_max_body_size: '-1m' is not a size");
  }

  @Test
  void offDisablesAListener() {
    NodeSettings s = NodeSettings.load(null, Map.of("FULCRUM_PROXY_LISTEN", "off"), Map.of());
    assertThat(s.proxyListen()).isEmpty();
  }

  @Test
  void badValuesNameTheKeyAndTheValue() {
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_PROXY_LISTEN", "localhost"), Map.of()))
        .hasMessage("proxy_listen: invalid value 'localhost' (expected host:port)");
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_ADMIN_LISTEN", "127.0.0.1:99999"), Map.of()))
        .hasMessage("admin_listen: invalid value '127.0.0.1:99999' (port must be between 0 and 65535)");
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_DATABASE", "mysql"), Map.of()))
        .hasMessage("database: invalid value 'mysql' (expected one of: embedded, postgres, off)");
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_DB_UPDATE_FREQUENCY", "soon"), Map.of()))
        .hasMessage("db_update_frequency: invalid value 'soon' (expected a number of seconds)");
    assertThatThrownBy(() -> NodeSettings.load(null, Map.of("FULCRUM_PROXY_LISTEN", "0.0.0.0:8443 ssl"), Map.of()))
        .hasMessageStartingWith("proxy_listen: invalid value '0.0.0.0:8443 ssl' (flag 'ssl' is not supported");
  }

  @Test
  void malformedFileLineStopsWithFileAndLine() throws IOException {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "proxy_listen = 127.0.0.1:1\nthis is not a setting\n");
    assertThatThrownBy(() -> NodeSettings.load(conf, Map.of(), Map.of()))
        .hasMessage(conf + ":2: expected 'key = value', got 'this is not a setting'");
  }

  @Test
  void ipv6ListenAddress() {
    NodeSettings s = NodeSettings.load(null, Map.of("FULCRUM_PROXY_LISTEN", "[::1]:8000"), Map.of());
    assertThat(s.proxyListen().get(0).host()).isEqualTo("::1");
  }
}
