package dev.fulcrum.proxy.http;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fulcrum.conf.NodeSettings;
import dev.fulcrum.runtime.SnapshotHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes a client sends go through the server codec, the request checks, the request facts and
 * Kong's routing (no routes: 404) without an exception escaping; whatever is answered is released.
 */
class RequestHeadFuzzTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
  private static final InetSocketAddress LISTENER = new InetSocketAddress("127.0.0.1", 8000);
  private static HttpProxy proxy;

  @BeforeAll
  static void proxy() {
    proxy = new HttpProxy(new SnapshotHolder(), NodeSettings.load(null, Map.of(), Map.of()));
  }

  @AfterAll
  static void close() {
    proxy.close();
  }

  @FuzzTest(maxDuration = "60s")
  void anyRequestBytes(byte[] input) {
    // Handlers given to the constructor see the channel become active, as on a socket.
    EmbeddedChannel ch = new EmbeddedChannel(proxy.clientInitializer()) {
      @Override
      protected SocketAddress remoteAddress0() {
        return CLIENT;
      }

      @Override
      protected SocketAddress localAddress0() {
        return LISTENER;
      }
    };
    ch.writeInbound(Unpooled.wrappedBuffer(input));
    ch.runPendingTasks();
    ch.checkException();
    ch.finishAndReleaseAll();
  }
}
