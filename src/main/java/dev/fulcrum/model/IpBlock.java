package dev.fulcrum.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address or CIDR block ({@code 10.0.0.0/8}, {@code ::1}), as Kong's stream routes and
 * HAProxy's {@code src}/{@code dst} ACLs take them.
 *
 * @param net the network's address bytes (4 or 16)
 * @param bits the prefix length; the whole address when none was given
 */
public record IpBlock(byte[] net, int bits) {
  /**
   * Parses literal addresses only: a host name is refused, never resolved.
   *
   * @throws IllegalArgumentException when {@code text} is not an IP or a CIDR block
   */
  public static IpBlock parse(String text) {
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    HostPort hp = HostPort.parse(ip);
    if (!hp.valid() || !hp.isIp() || hp.hasPort()) {
      throw new IllegalArgumentException("invalid ip or cidr range: '" + text + "'");
    }
    byte[] net;
    try {
      net = InetAddress.getByName(hp.host()).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("invalid ip or cidr range: '" + text + "'");
    }
    int max = net.length * 8;
    if (slash < 0) {
      return new IpBlock(net, max);
    }
    String bits = text.substring(slash + 1);
    if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
      throw new IllegalArgumentException("invalid ip or cidr range: '" + text + "'");
    }
    return new IpBlock(net, Integer.parseInt(bits));
  }

  /** Whether {@code address} (from {@link InetAddress#getAddress()}) lies in this block. */
  public boolean contains(byte[] address) {
    if (address.length != net.length) {
      return false;
    }
    int left = bits;
    for (int i = 0; i < net.length && left > 0; i++, left -= 8) {
      int mask = left >= 8 ? 0xFF : (0xFF << (8 - left)) & 0xFF;
      if ((address[i] & mask) != (net[i] & mask)) {
        return false;
      }
    }
    return true;
  }
}
