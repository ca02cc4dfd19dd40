package dev.fulcrum.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port where nothing listens, reserved while this is open: a socket bound to 127.0.0.1
 * port 0 that never listens. Connections to it are refused (RST) and the OS gives the port to no
 * one else until {@link #close()}, unlike a port found free, closed and used later.
 */
public final class DeadPort implements AutoCloseable {
  private final Socket socket;
  private final int port;

  private DeadPort(Socket socket) {
    this.socket = socket;
    this.port = socket.getLocalPort();
  }

  public static DeadPort open() {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return new DeadPort(s);
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing bound
      }
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:port}, as a server line or a Kong target names it. */
  public String target() {
    return "127.0.0.1:" + port();
  }

  /** Frees the port (for a test that starts a server on it afterwards). */
  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to free
    }
  }
}
