package dev.fulcrum.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesTheThreeKinds() {
    assertThat(HostPort.parse("001.002.003.004:123").format(0)).isEqualTo("1.2.3.4:123");
    assertThat(HostPort.parse("example.com").type()).isEqualTo("name");
    assertThat(HostPort.parse("example.com:8080").port()).isEqualTo(8080);
    assertThat(HostPort.parse("::1").host()).isEqualTo("0000:0000:0000:0000:0000:0000:0000:0001");
    assertThat(HostPort.parse("[::1]:80").port()).isEqualTo(80);
  }

  @Test
  void rejectsWhatKongRejects() {
    assertThat(HostPort.parse("bad host").error()).isEqualTo("invalid hostname: bad host");
    assertThat(HostPort.parse("256.1.1.1").error()).isEqualTo("invalid ipv4 address: 256.1.1.1");
    assertThat(HostPort.parse("a.com:70000").error()).isEqualTo("invalid port number");
    assertThat(HostPort.parse("a-.com").valid()).isFalse();
  }
}
