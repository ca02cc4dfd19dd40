package dev.fulcrum.haproxy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The haproxy.cfg reader and parser take any file (any bytes) and either build a configuration or stop with a
 * {@link CfgException} naming file and line; no other exception escapes.
 */
class CfgFuzzTest {
  private static Path file;

  @BeforeAll
  static void file() throws IOException {
    file = Files.createTempFile("fuzz", ".cfg");
  }

  @AfterAll
  static void remove() throws IOException {
    Files.deleteIfExists(file);
  }

  @FuzzTest(maxDuration = "60s")
  void anyConfiguration(byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      HaproxyConfig.parse(file, Map.of("HOME", "/root", "PORT", "8080"));
    } catch (CfgException expected) {
      // a configuration error, reported as such
    }
  }
}
