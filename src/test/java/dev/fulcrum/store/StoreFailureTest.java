package dev.fulcrum.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Http;
import dev.fulcrum.testing.TestNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store on a file system that fills up or turns read-only (a small tmpfs, mounted
 * for the test; skipped where mounting is not allowed): the Admin API answers 503 naming the
 * trouble, nothing is half-written, and writes work again once there is room.
 */
class StoreFailureTest {
  @TempDir Path dir;
  private Path fs;
  private TestNode node;

  private static boolean run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @BeforeEach
  void mount() throws Exception {
    fs = dir.resolve("fs");
    Files.createDirectories(fs);
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", fs.toString()), "cannot mount a tmpfs here");
  }

  @AfterEach
  void unmount() throws Exception {
    if (node != null) {
      node.close();
    }
    run("umount", "-l", fs.toString());
  }

  /** A body that needs new database pages: many long tags. */
  private static String[] bigService(String name) {
    List<String> fields = new ArrayList<>(List.of("name=" + name, "url=http://127.0.0.1:9"));
    for (int i = 0; i < 400; i++) {
      fields.add("tags[]=" + name + "-tag-" + i + "-" + "x".repeat(150));
    }
    return fields.toArray(new String[0]);
  }

  /** Fills the file system with one file; returns it. */
  private Path fill() throws IOException {
    Path filler = fs.resolve("filler");
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // no space left: that was the point
    }
    return filler;
  }

  @Test
  void aFullDiskAnswers503AndLosesNothing() throws Exception {
    node = TestNode.startIn(fs.resolve("prefix"), Map.of());
    AdminClient admin = node.admin();
    assertThat(admin.post("/services", bigService("before")).status()).isEqualTo(201);

    Path filler = fill();
    AdminClient.Reply refused = admin.post("/services", bigService("during"));
    assertThat(refused.status()).as(refused.text()).isEqualTo(503);
    assertThat(refused.text()).contains("The database cannot store changes: the disk is full; nothing was changed");
    assertThat(admin.get("/services/before").status()).isEqualTo(200);
    assertThat(admin.get("/services/during").status()).isEqualTo(404);

    Files.delete(filler);
    assertThat(admin.post("/services", bigService("after")).status()).isEqualTo(201);
    node.stopKeepingPrefix();
    node = TestNode.startIn(fs.resolve("prefix"), Map.of());
    admin = node.admin();
    assertThat(admin.get("/services/before").status()).isEqualTo(200);
    assertThat(admin.get("/services/during").status()).isEqualTo(404);
    assertThat(admin.get("/services/after").json().get("tags").size()).isEqualTo(400);
  }

  @Test
  void aReadOnlyPrefixAnswers503() throws Exception {
    node = TestNode.startIn(fs.resolve("prefix"), Map.of());
    assertThat(node.admin().post("/services", "name=before", "url=http://127.0.0.1:9").status()).isEqualTo(201);
    node.stopKeepingPrefix();
    node = null;
    // Read-only once nothing holds a file open for writing (Linux refuses it before).
    assertThat(run("mount", "-o", "remount,ro", fs.toString())).isTrue();
    try {
      node = TestNode.startIn(fs.resolve("prefix"), Map.of());
      AdminClient admin = node.admin();
      AdminClient.Reply refused = admin.post("/services", "name=during", "url=http://127.0.0.1:9");
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(refused.text()).contains("The database cannot store changes: the database is read-only; nothing was changed");
      assertThat(admin.get("/services/before").status()).isEqualTo(200);
      assertThat(Http.get(node.proxyUrl() + "/none").statusCode()).isEqualTo(404);
      node.close();
      node = null;
    } finally {
      run("mount", "-o", "remount,rw", fs.toString());
    }
    node = TestNode.startIn(fs.resolve("prefix"), Map.of());
    assertThat(node.admin().post("/services", "name=after", "url=http://127.0.0.1:9").status()).isEqualTo(201);
    assertThat(node.admin().get("/services/during").status()).isEqualTo(404);
  }
}
