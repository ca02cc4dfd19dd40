package dev.fulcrum.upstream;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol header a server gets ({@code send-proxy}, {@code send-proxy-v2}) from a
 * proxied session or from a health check, and the addresses a received one announces.
 */
public final class ProxyProtocol {
  private ProxyProtocol() {}

  /**
   * @param version 1 (text) or 2 (binary)
   * @param client the real client, as accepted or as announced by an upstream proxy
   * @param local the address the client connected to
   */
  public static HAProxyMessage header(int version, InetSocketAddress client, InetSocketAddress local) {
    HAProxyProtocolVersion v = version == 2 ? HAProxyProtocolVersion.V2 : HAProxyProtocolVersion.V1;
    boolean v4 = client.getAddress() instanceof Inet4Address;
    if (v4 != local.getAddress() instanceof Inet4Address) {
      // Mixed families cannot be expressed; the spec's answer is UNKNOWN (v1) or LOCAL (v2).
      return v == HAProxyProtocolVersion.V1
          ? new HAProxyMessage(v, HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0)
          : new HAProxyMessage(v, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    }
    return new HAProxyMessage(
        v, HAProxyCommand.PROXY, v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
        client.getAddress().getHostAddress(), local.getAddress().getHostAddress(), client.getPort(), local.getPort());
  }

  /** The client a received header announces, or null (LOCAL command, UNKNOWN protocol). */
  public static InetSocketAddress source(HAProxyMessage m) {
    if (m.command() != HAProxyCommand.PROXY || m.sourceAddress() == null) {
      return null;
    }
    HAProxyProxiedProtocol p = m.proxiedProtocol();
    if (p != HAProxyProxiedProtocol.TCP4 && p != HAProxyProxiedProtocol.TCP6) {
      return null;
    }
    return new InetSocketAddress(io.netty.util.NetUtil.createInetAddressFromIpAddressString(m.sourceAddress()), m.sourcePort());
  }

  public static InetSocketAddress destination(HAProxyMessage m) {
    if (m.command() != HAProxyCommand.PROXY || m.destinationAddress() == null) {
      return null;
    }
    HAProxyProxiedProtocol p = m.proxiedProtocol();
    if (p != HAProxyProxiedProtocol.TCP4 && p != HAProxyProxiedProtocol.TCP6) {
      return null;
    }
    return new InetSocketAddress(
        io.netty.util.NetUtil.createInetAddressFromIpAddressString(m.destinationAddress()), m.destinationPort());
  }
}
