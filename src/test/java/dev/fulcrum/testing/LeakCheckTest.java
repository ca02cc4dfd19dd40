package dev.fulcrum.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LeakCheckTest {
  private static final String URING_READ =
      "\tio.netty.channel.uring.AbstractIoUringStreamChannel$IoUringStreamUnsafe.scheduleRead0(AbstractIoUringStreamChannel.java:444)\n";

  @Test
  void aPendingReadBufferNoHandlerSawIsNotCounted() {
    assertTrue(LeakCheck.isTransportPendingRead("\nRecent access records: \nCreated at:\n" + URING_READ));
  }

  @Test
  void aReadBufferThatReachedThePipelineIsCounted() {
    assertFalse(LeakCheck.isTransportPendingRead("\nRecent access records: \n#1:\n"
        + "\tHint: 'HeadContext' will handle the message from this point.\nCreated at:\n" + URING_READ));
  }

  @Test
  void anyOtherUntouchedBufferIsCounted() {
    assertFalse(LeakCheck.isTransportPendingRead("\nRecent access records: \nCreated at:\n"
        + "\tdev.fulcrum.proxy.http.Exchange.forward(Exchange.java:1)\n"));
  }
}
