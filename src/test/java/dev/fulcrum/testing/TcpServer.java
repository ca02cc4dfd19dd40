package dev.fulcrum.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP server for L4 tests. Each connection gets a greeting naming the server (when
 * asked), then everything it sends is echoed back; when the client half-closes, the server
 * finishes echoing and closes too.
 */
public final class TcpServer implements AutoCloseable {
  private final ServerSocket socket;
  private final String greeting;
  private volatile boolean reset;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AtomicInteger accepted = new AtomicInteger();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final List<String> firstBytes = new CopyOnWriteArrayList<>();

  private TcpServer(ServerSocket socket, String greeting) {
    this.socket = socket;
    this.greeting = greeting;
  }

  /** An echo server; with a greeting, it first sends {@code greeting + "\n"}. */
  public static TcpServer echo(String greeting) {
    try {
      TcpServer s = new TcpServer(new ServerSocket(0, 128, InetAddress.getLoopbackAddress()), greeting);
      s.pool.execute(s::acceptLoop);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server that reads what arrives and then resets the connection without a byte of answer. */
  public static TcpServer resetting() {
    TcpServer s = echo(null);
    s.reset = true;
    return s;
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** What each connection sent first (its first read), in arrival order. */
  public List<String> firstBytes() {
    return firstBytes;
  }

  public int accepted() {
    return accepted.get();
  }

  /** Connections open now. */
  public int open() {
    open.removeIf(Socket::isClosed);
    return open.size();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket c = socket.accept();
        accepted.incrementAndGet();
        open.add(c);
        pool.execute(() -> serve(c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket c) {
    if (reset) {
      try (c) {
        c.getInputStream().read(new byte[4096]);
        c.setSoLinger(true, 0);
      } catch (IOException e) {
        // gone already
      }
      return;
    }
    try (c) {
      OutputStream out = c.getOutputStream();
      if (greeting != null) {
        out.write((greeting + "\n").getBytes());
        out.flush();
      }
      InputStream in = c.getInputStream();
      byte[] buf = new byte[65536];
      int n;
      boolean first = true;
      while ((n = in.read(buf)) >= 0) {
        if (first) {
          firstBytes.add(new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
          first = false;
        }
        out.write(buf, 0, n);
      }
      out.flush();
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // ignore
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // ignore
      }
    }
    pool.shutdownNow();
  }
}
