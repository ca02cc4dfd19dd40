package dev.fulcrum.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The setting a start-up error names. A wrong password cannot be provoked end to end against the
 * test database (it trusts every local connection), so its SQLSTATE is checked here.
 */
class PgErrorsTest {
  @Test
  void eachServerRefusalNamesItsSetting() {
    assertThat(PgErrors.settingAtFault(new SQLException("password authentication failed", "28P01")))
        .isEqualTo("pg_password");
    assertThat(PgErrors.settingAtFault(new SQLException("role \"x\" does not exist", "28000"))).isEqualTo("pg_user");
    assertThat(PgErrors.settingAtFault(new SQLException("database \"x\" does not exist", "3D000")))
        .isEqualTo("pg_database");
    assertThat(PgErrors.settingAtFault(new SQLException("schema \"x\" does not exist", "3F000"))).isEqualTo("pg_schema");
  }

  @Test
  void anUnknownHostAnywhereInTheCausesNamesPgHost() {
    SQLException e = new SQLException("The connection attempt failed.", "08001", new UnknownHostException("nowhere.invalid"));
    assertThat(PgErrors.settingAtFault(e)).isEqualTo("pg_host");
    assertThat(PgErrors.settingAtFault(new SQLException("timeout", "08001"))).isNull();
  }
}
