package dev.fulcrum.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The workaround's contract, against a stand-in for Netty's epoll handler. */
class EpollRegistrationsTest {
  /** Records what a registration was asked; a removed one refuses further interest like epoll (ENOENT). */
  static final class FakeHandler implements IoHandler {
    final List<String> calls = new ArrayList<>();
    int registrations;

    @Override
    public IoRegistration register(IoHandle handle) {
      int id = ++registrations;
      calls.add("register " + id);
      return new IoRegistration() {
        boolean deleted;

        @Override
        public <T> T attachment() {
          return null;
        }

        @Override
        public long submit(IoOps ops) {
          int v = ((EpollIoOps) ops).value();
          if (v != 0 && deleted) {
            throw new IllegalStateException("epoll_ctl(MOD) on a deleted fd: ENOENT");
          }
          deleted = v == 0;
          calls.add(id + (v == 0 ? " del" : " mod " + v));
          return v;
        }

        @Override
        public boolean isValid() {
          return true;
        }

        @Override
        public boolean cancel() {
          calls.add("cancel " + id);
          return true;
        }
      };
    }

    @Override
    public int run(IoHandlerContext context) {
      return 0;
    }

    @Override
    public void wakeup() {}

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
      return true;
    }
  }

  @Test
  void interestAfterRemovalRegistersAfresh() throws Exception {
    FakeHandler fake = new FakeHandler();
    IoHandler wrapped = EpollRegistrations.wrap(executor -> fake).newHandler(null);
    IoRegistration r = wrapped.register(null);
    r.submit(EpollIoOps.EPOLLIN);
    r.submit(EpollIoOps.NONE);
    r.submit(EpollIoOps.EPOLLOUT);
    r.submit(EpollIoOps.NONE);
    r.submit(EpollIoOps.EPOLLOUT);
    assertThat(fake.calls).containsExactly(
        "register 1", "1 mod " + EpollIoOps.EPOLLIN.value(), "1 del",
        "cancel 1", "register 2", "2 mod " + EpollIoOps.EPOLLOUT.value(), "2 del",
        "cancel 2", "register 3", "3 mod " + EpollIoOps.EPOLLOUT.value());
  }
}
