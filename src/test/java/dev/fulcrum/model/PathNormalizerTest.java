package dev.fulcrum.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {
  @ParameterizedTest
  @CsvSource({
    "/, /",
    "/plain/path, /plain/path",
    "/a/./b, /a/b",
    "/a/../b, /b",
    "/a/b/.., /a/",
    "/../a, /a",
    "/a//b///c, /a/b/c",
    "/%61%62c, /abc",
    "/%2e%2e/x, /x",
    "/a%2Fb, /a%2Fb",
    "/a%2fb, /a%2Fb",
    "/sp%20ace, /sp ace",
  })
  void normalisesLikeKong(String in, String out) {
    assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @CsvSource({"/sp ace, /sp%20ace", "/ok/path-_.~, /ok/path-_.~", "/q?x=1, /q?x=1"})
  void escapesWhatCannotGoOnTheWire(String in, String out) {
    assertThat(PathNormalizer.escape(in)).isEqualTo(out);
  }
}
