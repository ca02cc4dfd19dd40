package dev.fulcrum.runtimeapi;

import dev.fulcrum.runtimeapi.RuntimeModel.ProcessView;
import dev.fulcrum.runtime.Proxy;
import dev.fulcrum.conf.Version;
import dev.fulcrum.metrics.Counters;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * {@code show info}: HAProxy 2.6's fields in their enum order (include/haproxy/stats-t.h), one
 * {@code Name: value} per line, fields without a value left out. Everything hatop and the
 * Prometheus exporter read is there (Name, Version, Release_date, Nbproc, Process_num, Pid, Uptime,
 * Maxconn, CurrConns, Maxpipes, PipesUsed, Tasks, Run_queue, node).
 */
final class InfoFields {
  private InfoFields() {}

  static String dump(RuntimeModel model) {
    ProcessView p = model.process();
    long curr = 0;
    long cum = 0;
    long cumReq = 0;
    long rate = 0;
    long rateMax = 0;
    long bytesOut = 0;
    for (Proxy px : model.proxies()) {
      if (px.frontend() == null) {
        continue;
      }
      Counters c = px.frontend().counters();
      curr += c.current.get();
      cum += c.total.sum();
      cumReq += px.http() ? c.requests.sum() : c.total.sum();
      rate += c.sessionRate.current();
      rateMax = Math.max(rateMax, c.sessionRate.max());
      bytesOut += c.bytesOut.sum();
    }
    long now = System.currentTimeMillis();
    long uptime = (now - p.startMillis()) / 1000;
    long pool = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    long fds = maxFileDescriptors();
    StringBuilder sb = new StringBuilder();
    field(sb, "Name", "Fulcrum");
    field(sb, "Version", Version.VERSION);
    field(sb, "Release_date", Version.RELEASE_DATE);
    field(sb, "Nbthread", p.nbthread());
    field(sb, "Nbproc", 1);
    field(sb, "Process_num", 1);
    field(sb, "Pid", ProcessHandle.current().pid());
    field(sb, "Uptime", String.format("%dd %dh%02dm%02ds", uptime / 86400, (uptime / 3600) % 24, (uptime / 60) % 60, uptime % 60));
    field(sb, "Uptime_sec", uptime);
    field(sb, "Memmax_MB", 0);
    field(sb, "PoolAlloc_MB", pool >> 20);
    field(sb, "PoolUsed_MB", pool >> 20);
    field(sb, "PoolFailed", 0);
    field(sb, "Ulimit-n", fds);
    field(sb, "Maxsock", fds);
    field(sb, "Maxconn", p.maxconn());
    field(sb, "Hard_maxconn", p.maxconn());
    field(sb, "CurrConns", curr);
    field(sb, "CumConns", cum);
    field(sb, "CumReq", cumReq);
    field(sb, "MaxSslConns", 0);
    field(sb, "CurrSslConns", 0);
    field(sb, "CumSslConns", 0);
    field(sb, "Maxpipes", 0);
    field(sb, "PipesUsed", 0);
    field(sb, "PipesFree", 0);
    field(sb, "ConnRate", rate);
    field(sb, "ConnRateLimit", 0);
    field(sb, "MaxConnRate", rateMax);
    field(sb, "SessRate", rate);
    field(sb, "SessRateLimit", 0);
    field(sb, "MaxSessRate", rateMax);
    for (String f : new String[] {"SslRate", "SslRateLimit", "MaxSslRate", "SslFrontendKeyRate",
        "SslFrontendMaxKeyRate", "SslFrontendSessionReuse_pct", "SslBackendKeyRate", "SslBackendMaxKeyRate",
        "SslCacheLookups", "SslCacheMisses", "CompressBpsIn", "CompressBpsOut", "CompressBpsRateLim"}) {
      field(sb, f, 0);
    }
    field(sb, "Tasks", curr + p.listeners());
    field(sb, "Run_queue", 0);
    field(sb, "Idle_pct", idlePercent());
    field(sb, "node", p.node());
    if (p.description() != null) {
      field(sb, "description", p.description());
    }
    field(sb, "Stopping", p.stopping() ? 1 : 0);
    field(sb, "Jobs", curr + p.listeners());
    field(sb, "Unstoppable Jobs", 0);
    field(sb, "Listeners", p.listeners());
    field(sb, "ActivePeers", 0);
    field(sb, "ConnectedPeers", 0);
    field(sb, "DroppedLogs", 0);
    field(sb, "BusyPolling", 0);
    field(sb, "FailedResolutions", 0);
    field(sb, "TotalBytesOut", bytesOut);
    // 2.6 spells it this way (fixed in 2.8); tools written against 2.6 expect it.
    field(sb, "TotalSplicdedBytesOut", 0);
    field(sb, "BytesOutRate", 0);
    field(sb, "DebugCommandsIssued", 0);
    field(sb, "CumRecvLogs", 0);
    field(sb, "Build info", Version.VERSION);
    field(sb, "Memmax_bytes", 0);
    field(sb, "PoolAlloc_bytes", pool);
    field(sb, "PoolUsed_bytes", pool);
    field(sb, "Start_time_sec", p.startMillis() / 1000);
    field(sb, "Tainted", 0);
    return sb.toString();
  }

  private static void field(StringBuilder sb, String name, Object value) {
    sb.append(name).append(": ").append(value).append('\n');
  }

  private static long maxFileDescriptors() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
      return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
    }
    return 0;
  }

  private static long idlePercent() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      double load = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuLoad();
      if (load >= 0) {
        return Math.round(100 - load * 100);
      }
    }
    return 100;
  }
}
