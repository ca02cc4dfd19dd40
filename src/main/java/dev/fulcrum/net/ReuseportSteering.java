package dev.fulcrum.net;

import io.netty.channel.Channel;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Chooses which socket of a port's SO_REUSEPORT group the kernel gives new connections to, with a
 * classic BPF program of one instruction, "return k", attached to the group
 * (SO_ATTACH_REUSEPORT_CBPF, Linux 4.6+): k is the socket's index in the group, in the order the
 * sockets joined it; an index past the end makes the kernel fall back to its hash.
 *
 * <p>This is how a restart hands a port over without a refused or reset connection: the running
 * node steers to itself (index 0) while the new node joins the group, the new node steers to
 * itself (index 1) once it is ready, the old one accepts what its queue already holds and
 * closes. Passing the listening descriptors themselves (HAProxy's {@code -x}) would need a channel
 * that adopts a descriptor, which Netty's io_uring transport does not offer.
 */
final class ReuseportSteering {
  private static final int SOL_SOCKET = 1;
  private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
  /** BPF_RET | BPF_K: return the constant. */
  private static final short BPF_RET_K = 0x06;

  private ReuseportSteering() {}

  /** Whether this process's transport can steer (epoll and io_uring: a native socket). */
  static boolean supported() {
    return Transport.kind() != Transport.Kind.NIO;
  }

  /** Makes the group of {@code listener}'s port give new connections to its socket number {@code index}. */
  static void steer(Channel listener, int index) throws IOException {
    if (!(listener instanceof UnixChannel)) {
      throw new IOException("the " + Transport.kind() + " transport cannot steer connections");
    }
    int fd = ((UnixChannel) listener).fd().intValue();
    // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
    ByteBuffer filter = Buffer.allocateDirectWithNativeOrder(8);
    // struct sock_fprog { unsigned short len; struct sock_filter *filter; }, the pointer aligned
    int pointer = Buffer.addressSize();
    ByteBuffer program = Buffer.allocateDirectWithNativeOrder(2 * pointer);
    try {
      filter.putShort(BPF_RET_K).put((byte) 0).put((byte) 0).putInt(index).flip();
      program.putShort((short) 1).position(pointer);
      if (pointer == 8) {
        program.putLong(Buffer.memoryAddress(filter));
      } else {
        program.putInt((int) Buffer.memoryAddress(filter));
      }
      program.flip();
      // A view of the channel's descriptor; it stays the channel's to close.
      new Socket(fd).setRawOpt(SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, program);
    } finally {
      Buffer.free(filter);
      Buffer.free(program);
    }
  }
}
