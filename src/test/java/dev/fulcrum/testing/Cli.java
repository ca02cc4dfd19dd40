package dev.fulcrum.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A runtime API client like {@code echo 'show stat' | nc host port}: one line, read to EOF. */
public final class Cli {
  private Cli() {}

  public static String send(SocketAddress address, String line) {
    if (address instanceof InetSocketAddress) {
      InetSocketAddress a = (InetSocketAddress) address;
      try (Socket s = new Socket("127.0.0.1", a.getPort())) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalArgumentException("not a TCP address: " + address);
  }

  /** The same over a UNIX socket file. */
  public static String sendUnix(java.nio.file.Path path, String line) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.ISO_8859_1)));
      StringBuilder sb = new StringBuilder();
      ByteBuffer buf = ByteBuffer.allocate(65536);
      while (ch.read(buf) >= 0) {
        buf.flip();
        sb.append(StandardCharsets.ISO_8859_1.decode(buf));
        buf.clear();
      }
      return sb.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The status column (18th) of the server rows of a 'show stat' dump, by server name. */
  public static java.util.Map<String, String> statuses(String csv) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String row : csv.split("\n")) {
      if (row.isEmpty() || row.startsWith("#")) {
        continue;
      }
      String[] cells = row.split(",", -1);
      out.put(cells[0] + "/" + cells[1], cells[17]);
    }
    return out;
  }
}
