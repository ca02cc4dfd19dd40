package dev.fulcrum.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class PcreTest {
  @Test
  void pythonStyleNamedGroupsAndBackReferencesCompile() {
    Matcher m = Pcre.compile("^/users/(?P<id>\\d+)/(?P<part>\\w+)/(?P=part)$").matcher("/users/42/x/x");
    assertThat(m.matches()).isTrue();
    assertThat(m.group("id")).isEqualTo("42");
    assertThat(Pcre.compile("^/users/(?P<id>\\d+)/(?P<part>\\w+)/(?P=part)$").matcher("/users/42/x/y").matches())
        .isFalse();
    assertThat(Pcre.toJava("^/plain/(\\d+)$")).isEqualTo("^/plain/(\\d+)$");
  }
}
