package dev.fulcrum.haproxy;

import dev.fulcrum.haproxy.HaproxyConfig.Global;
import dev.fulcrum.haproxy.HaproxyConfig.Server;
import dev.fulcrum.net.TlsContexts;
import dev.fulcrum.net.UpstreamTls;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A server's {@code ssl}, {@code verify}, {@code ca-file}, {@code crt}, {@code sni},
 * {@code check-ssl} and {@code check-sni} as the TLS of its traffic and of its checks.
 */
final class ServerTls {
  private ServerTls() {}

  /** The TLS of the server's traffic, or null for cleartext. */
  static UpstreamTls traffic(Server s, Global g, TlsContexts contexts) {
    if (!s.ssl) {
      return null;
    }
    UpstreamTls.Sni mode = s.sni == null ? UpstreamTls.Sni.NONE : sniMode(s.where, s.sni);
    return build(s, g, contexts, mode, mode == UpstreamTls.Sni.FIXED ? fixedName(s.sni) : null);
  }

  /**
   * The TLS of its checks, or null: {@code check-ssl}, or {@code ssl} when the checks go to the
   * server's own address and port (HAProxy's rule).
   */
  static UpstreamTls check(Server s, Global g, TlsContexts contexts) {
    boolean tls = s.checkSsl || (s.ssl && s.checkPort == 0 && s.checkAddr == null);
    if (!tls) {
      return null;
    }
    return s.checkSni == null
        ? build(s, g, contexts, UpstreamTls.Sni.NONE, null)
        : build(s, g, contexts, UpstreamTls.Sni.FIXED, s.checkSni);
  }

  private static UpstreamTls build(Server s, Global g, TlsContexts contexts, UpstreamTls.Sni mode, String name) {
    boolean verify = s.verify != null ? s.verify : g.sslServerVerify;
    if (verify && s.caFile == null) {
      throw new CfgException(s.where + ": server '" + s.name + "': verify is enabled by default but no CA file"
          + " specified. If you're running on a LAN where you're certain to trust the server's certificate, please"
          + " set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the"
          + " global section to disable server-side verifications by default.");
    }
    String ca = s.caFile == null ? null : s.caFile.equals("@system-ca") ? "system" : resolve(s, g.caBase, s.caFile);
    String crt = s.crt == null ? null : resolve(s, g.crtBase, s.crt);
    try {
      return contexts.haproxy(verify, verify ? ca : null, crt, mode, name);
    } catch (IllegalArgumentException e) {
      throw new CfgException(s.where + ": server '" + s.name + "': cannot set up TLS: " + e.getMessage());
    }
  }

  private static String resolve(Server s, String base, String file) {
    try {
      return base == null || Path.of(file).isAbsolute() ? file : Path.of(base, file).toString();
    } catch (InvalidPathException e) {
      throw new CfgException(s.where + ": server '" + s.name + "': '" + file + "' is not a valid path (" + e.getReason() + ")");
    }
  }

  /** The {@code sni} expressions Fulcrum evaluates: {@code str(NAME)} and the request's Host header. */
  static UpstreamTls.Sni sniMode(String where, String expr) {
    String e = expr.toLowerCase(Locale.ROOT);
    if (e.startsWith("str(") && e.endsWith(")") && e.length() > 5) {
      return UpstreamTls.Sni.FIXED;
    }
    if (e.equals("req.hdr(host)") || e.equals("hdr(host)") || e.equals("req.hdr(host,1)")) {
      return UpstreamTls.Sni.HOST_HEADER;
    }
    throw new CfgException(where + ": sni expression '" + expr + "' is not supported by Fulcrum"
        + " (supported: str(NAME), req.hdr(host))");
  }

  private static String fixedName(String expr) {
    return expr.substring(4, expr.length() - 1);
  }
}
