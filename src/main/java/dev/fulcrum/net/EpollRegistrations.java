package dev.fulcrum.net;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Works around a Netty 4.2 epoll bug (seen in 4.2.18 and 4.2.20). Since netty#16689 a registration
 * whose interest set drops to nothing is removed from epoll (EPOLL_CTL_DEL), but it still counts as
 * added, so the next interest (EPOLLOUT for a write that did not fit the socket buffer) is an
 * EPOLL_CTL_MOD that fails with ENOENT and the write is lost. Half-closed connections hit it: once
 * their input is shut, nothing keeps them in epoll. This wrapper notices the removal and registers
 * the channel afresh when it has something to wait for again.
 */
final class EpollRegistrations implements IoHandler {
  private final IoHandler delegate;

  private EpollRegistrations(IoHandler delegate) {
    this.delegate = delegate;
  }

  static IoHandlerFactory wrap(IoHandlerFactory factory) {
    return new IoHandlerFactory() {
      @Override
      public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new EpollRegistrations(factory.newHandler(executor));
      }

      @Override
      public boolean isChangingThreadSupported() {
        return factory.isChangingThreadSupported();
      }
    };
  }

  @Override
  public IoRegistration register(IoHandle handle) throws Exception {
    return new Registration(delegate.register(handle), handle);
  }

  @Override
  public void initialize() {
    delegate.initialize();
  }

  @Override
  public int run(IoHandlerContext context) {
    return delegate.run(context);
  }

  @Override
  public void prepareToDestroy() {
    delegate.prepareToDestroy();
  }

  @Override
  public void destroy() {
    delegate.destroy();
  }

  @Override
  public void wakeup() {
    delegate.wakeup();
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return delegate.isCompatible(handleType);
  }

  /** One channel's registration; only ever used from its event loop. */
  private final class Registration implements IoRegistration {
    private final IoHandle handle;
    private IoRegistration current;
    /** The delegate took the fd out of epoll (empty interest set). */
    private boolean removed;

    Registration(IoRegistration current, IoHandle handle) {
      this.current = current;
      this.handle = handle;
    }

    @Override
    public long submit(IoOps ops) {
      boolean none = ops instanceof EpollIoOps && ((EpollIoOps) ops).value() == 0;
      if (none) {
        removed = true;
        return current.submit(ops);
      }
      if (removed) {
        removed = false;
        // A fresh registration adds the fd back (EPOLL_CTL_ADD) on its first interest.
        current.cancel();
        try {
          current = delegate.register(handle);
        } catch (Exception e) {
          throw new IllegalStateException("cannot register again with epoll", e);
        }
      }
      return current.submit(ops);
    }

    @Override
    public <T> T attachment() {
      return current.attachment();
    }

    @Override
    public boolean isValid() {
      return current.isValid();
    }

    @Override
    public boolean cancel() {
      return current.cancel();
    }
  }
}
