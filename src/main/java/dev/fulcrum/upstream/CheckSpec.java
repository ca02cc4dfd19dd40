package dev.fulcrum.upstream;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * How HAProxy checks one server ({@code check}, {@code inter}, {@code fastinter},
 * {@code downinter}, {@code rise}, {@code fall}, {@code port}, {@code addr}, {@code option
 * httpchk}, {@code http-check expect status}, {@code http-check disable-on-404}).
 *
 * @param address where to probe (the server's, or its check port and address)
 * @param probe a TCP connect or an HTTP request
 * @param expect accepted statuses as [low, high] ranges; null means HAProxy's default, 2xx and 3xx
 * @param expectNegated {@code http-check expect ! status ...}
 * @param port the {@code port} setting, 0 for the server's own (shown by show servers state)
 * @param addr the {@code addr} setting as written, or null
 */
public record CheckSpec(
    long interMillis,
    long fastinterMillis,
    long downinterMillis,
    int rise,
    int fall,
    InetSocketAddress address,
    ProbeSpec probe,
    List<int[]> expect,
    boolean expectNegated,
    boolean disableOn404,
    int port,
    String addr) {

  /** HAProxy's srv_getinter: downinter when fully down, fastinter in transition, else inter. */
  public long interval(int health, boolean up) {
    if (!up && health == 0) {
      return downinterMillis > 0 ? downinterMillis : interMillis;
    }
    if (health < rise + fall - 1) {
      return fastinterMillis > 0 ? fastinterMillis : interMillis;
    }
    return interMillis;
  }

  public boolean statusPasses(int status) {
    boolean in;
    if (expect == null) {
      in = status >= 200 && status < 400;
    } else {
      in = false;
      for (int[] r : expect) {
        if (status >= r[0] && status <= r[1]) {
          in = true;
          break;
        }
      }
    }
    return in != expectNegated;
  }
}
