package dev.fulcrum.store.declarative;

import dev.fulcrum.store.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The configuration a DB-less node last took through {@code POST /config}, kept under the prefix
 * so that a restart (or a stop and start) serves it again, as Kong keeps it in its LMDB. A node
 * started with {@code declarative_config} loads that file instead, as Kong does.
 *
 * <p>A new configuration is written to a temporary file first and renamed over the old one only
 * once the node has taken it: a disk that cannot hold it refuses the change before anything is
 * applied, and a crash at any point leaves either the old file or the new one.
 */
public final class PersistedConfig {
  public static final String FILE = "dbless.yml";

  private final Path file;
  private final Path staging;

  public PersistedConfig(Path prefix) {
    this.file = prefix.resolve(FILE);
    this.staging = prefix.resolve(FILE + ".new");
  }

  /** The persisted configuration, or null when there is none. */
  public String read() {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new StoreException("cannot read the persisted configuration " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Writes {@code text} beside the current file, durably; {@link #commit} makes it the current one. */
  public void stage(String text) {
    try (FileChannel ch = FileChannel.open(staging, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(StandardCharsets.UTF_8.encode(text));
      ch.force(true);
    } catch (IOException e) {
      discard();
      throw StoreException.cannotWrite("cannot write " + staging + ": " + e.getMessage(), e);
    }
  }

  public void commit() {
    try {
      try {
        Files.move(staging, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(staging, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new StoreException("cannot replace " + file + ": " + e.getMessage(), e);
    }
  }

  public void discard() {
    try {
      Files.deleteIfExists(staging);
    } catch (IOException ignored) {
      // A leftover staging file is overwritten by the next stage.
    }
  }
}
