package dev.fulcrum.runtimeapi;

import dev.fulcrum.net.ConnectionLimit;
import dev.fulcrum.runtime.HaproxyPart;
import dev.fulcrum.runtime.Proxy;
import dev.fulcrum.runtime.SnapshotHolder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** The runtime API over a node's current configuration snapshot. */
public final class SnapshotModel implements RuntimeModel {
  private final SnapshotHolder snapshots;
  private final int nbthread;
  private final IntSupplier listeners;
  private final BooleanSupplier stopping;
  private final long startMillis = System.currentTimeMillis();
  private final String hostname = hostname();

  /**
   * @param listeners the listening sockets ({@code show info})
   * @param stopping whether the node no longer accepts
   */
  public SnapshotModel(SnapshotHolder snapshots, int nbthread, IntSupplier listeners, BooleanSupplier stopping) {
    this.snapshots = snapshots;
    this.nbthread = nbthread;
    this.listeners = listeners;
    this.stopping = stopping;
  }

  @Override
  public List<Proxy> proxies() {
    return snapshots.current().proxies();
  }

  @Override
  public ProcessView process() {
    HaproxyPart h = snapshots.current().haproxy();
    ConnectionLimit global = h.global();
    return new ProcessView(global == null ? 0 : global.max(), startMillis, h.node() != null ? h.node() : hostname, null,
        nbthread, listeners.getAsInt(), stopping.getAsBoolean());
  }

  @Override
  public ConnectionLimit globalLimit() {
    return snapshots.current().haproxy().global();
  }

  /** The host name without a DNS lookup where possible (HAProxy's node default). */
  private static String hostname() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h.trim();
    }
    try {
      h = Files.readString(Path.of("/etc/hostname")).trim();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException e) {
      // fall through
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
