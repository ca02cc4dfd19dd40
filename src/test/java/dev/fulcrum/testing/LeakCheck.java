package dev.fulcrum.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaked a Netty buffer. Installed for every test (autodetected); the
 * surefire configuration runs with the leak detector at PARANOID, so every buffer is tracked.
 * After each class it collects garbage and allocates a few buffers, which makes the detector
 * report what was collected without being released.
 *
 * <p>One kind of report is not ours and is only printed: a buffer the io_uring transport allocated
 * for a read it had submitted, with no access record at all. Under PARANOID every buffer the
 * transport hands to a pipeline is touched on the way in, so such a buffer never reached
 * Fulcrum's code; Netty drops it when an event loop is destroyed before the kernel completed that
 * read (netty/netty#14539 fixed one such path; the loop's destroy waits only 200 ms for the rest).
 */
public final class LeakCheck implements AfterAllCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new Factory());
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50);
      for (int i = 0; i < 64; i++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        b.release();
        ByteBuf h = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
        h.release();
      }
    }
    if (!LEAKS.isEmpty()) {
      String report = String.join("\n\n", LEAKS);
      LEAKS.clear();
      throw new AssertionError("Netty buffer leak in " + context.getDisplayName() + ":\n" + report);
    }
  }

  /** A buffer of a submitted io_uring read that no handler ever saw (see the class comment). */
  static boolean isTransportPendingRead(String records) {
    return !records.contains("#1:")
        && records.contains("io.netty.channel.uring.AbstractIoUringStreamChannel$IoUringStreamUnsafe.scheduleRead0");
  }

  private static final class Factory extends ResourceLeakDetectorFactory {
    @Override
    public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
      return new ResourceLeakDetector<>(resource, samplingInterval) {
        @Override
        protected void reportTracedLeak(String resourceType, String records) {
          if (isTransportPendingRead(records)) {
            System.err.println("io_uring dropped a pending read buffer at loop shutdown (not counted):" + records);
            return;
          }
          LEAKS.add("LEAK " + resourceType + records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
          LEAKS.add("LEAK " + resourceType + " (untraced)");
        }
      };
    }
  }
}
