package dev.fulcrum.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fulcrum.testing.AdminClient;
import dev.fulcrum.testing.Processes;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed with SIGKILL in the middle of Admin API writes: after a restart every write that
 * was answered 2xx is there, and no change is there in part (an upstream deleted with its targets
 * is gone with all of them; the database file passes SQLite's integrity check).
 */
class CrashTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void kill() {
    processes.forEach(Processes::kill);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private AdminClient start(Path prefix, int admin, String log) {
    Process p = Processes.java(Main.class.getName(), Map.of(
        "FULCRUM_PREFIX", prefix.toString(), "FULCRUM_PROXY_LISTEN", "127.0.0.1:0",
        "FULCRUM_ADMIN_LISTEN", "127.0.0.1:" + admin), dir.resolve(log), "start");
    processes.add(p);
    Processes.awaitStarted(p, dir.resolve(log));
    return new AdminClient("http://127.0.0.1:" + admin);
  }

  @Test
  void sigkillDuringWritesLosesNoAnsweredWriteAndLeavesNoHalfChange() throws Exception {
    Path prefix = dir.resolve("prefix");
    int port = freePort();
    AdminClient admin = start(prefix, port, "first.log");

    Set<String> created = ConcurrentHashMap.newKeySet();
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    Set<String> deleting = ConcurrentHashMap.newKeySet();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      Thread t = new Thread(() -> {
        for (int i = 0; running.get(); i++) {
          String name = "u" + writer + "-" + i;
          try {
            if (admin.post("/upstreams", "name=" + name).status() != 201) {
              continue;
            }
            boolean whole = true;
            for (int k = 1; k <= 3; k++) {
              whole &= admin.post("/upstreams/" + name + "/targets", "target=127.0.0.1:" + (9000 + k)).status() == 201;
            }
            if (whole) {
              created.add(name);
            }
            // Every other upstream goes again: one delete removes it and its three targets.
            if (i % 2 == 1 && whole) {
              deleting.add(name);
              if (admin.delete("/upstreams/" + name).status() == 204) {
                deleted.add(name);
              }
            }
          } catch (RuntimeException e) {
            return; // the node is gone
          }
        }
      });
      t.start();
      writers.add(t);
    }
    while (created.size() < 40) {
      Thread.sleep(10);
    }
    Processes.kill(processes.get(0)); // SIGKILL, mid-write
    running.set(false);
    for (Thread t : writers) {
      t.join(30_000);
    }

    AdminClient again = start(prefix, port, "second.log");
    for (String name : created) {
      AdminClient.Reply r = again.get("/upstreams/" + name + "/targets");
      if (deleted.contains(name)) {
        assertThat(again.get("/upstreams/" + name).status()).as(name + " was deleted").isEqualTo(404);
      } else if (deleting.contains(name) && r.status() == 404) {
        // Killed before the answer: a write nobody was told about may or may not have happened.
        continue;
      } else {
        assertThat(r.status()).as(name + " was created").isEqualTo(200);
        assertThat(r.json().get("data").size()).as(name + "'s targets").isEqualTo(3);
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prefix.resolve("fulcrum.db"));
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("ok");
      }
      try (ResultSet rs = s.executeQuery(
          "SELECT count(*) FROM targets WHERE upstream_id NOT IN (SELECT id FROM upstreams)")) {
        rs.next();
        assertThat(rs.getInt(1)).as("targets left by a half-done delete").isZero();
      }
    }
  }
}
