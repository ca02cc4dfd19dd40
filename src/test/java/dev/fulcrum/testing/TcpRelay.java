package dev.fulcrum.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay to a server (e.g. PostgreSQL) that a test can cut, as if the server went
 * away (every connection dropped, new ones refused), and restore on the same port.
 */
public final class TcpRelay implements AutoCloseable {
  private final String host;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;
  private int port;

  private TcpRelay(String host, int targetPort) {
    this.host = host;
    this.targetPort = targetPort;
  }

  public static TcpRelay to(String host, int port) {
    TcpRelay r = new TcpRelay(host, port);
    r.listen(0);
    return r;
  }

  public int port() {
    return port;
  }

  private void listen(int onPort) {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress("127.0.0.1", onPort));
      server = s;
      port = s.getLocalPort();
      Thread t = new Thread(() -> accept(s), "relay-accept-" + port);
      t.setDaemon(true);
      t.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept(ServerSocket s) {
    while (!s.isClosed()) {
      try {
        Socket client = s.accept();
        Socket upstream = new Socket(host, targetPort);
        sockets.add(client);
        sockets.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        // closed by cut() or close(), or the target refused: the client sees its socket close
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // one side went away
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "relay-pipe");
    t.setDaemon(true);
    t.start();
  }

  /** Drops every connection and refuses new ones. */
  public void cut() {
    closeQuietly(server);
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
  }

  /** Accepts again, on the same port. */
  public void restore() {
    listen(port);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception e) {
      // already closed
    }
  }

  @Override
  public void close() {
    cut();
  }
}
