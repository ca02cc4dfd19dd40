package dev.fulcrum.plugin.correlationid;

import dev.fulcrum.plugin.StepContext;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * correlation-id's generators. Kong keeps a UUID and a counter per nginx worker; here the event
 * loop is the worker, so {@code uuid#counter} takes no lock: each loop thread has its own UUID
 * (made when it first needs one) and counts from 1.
 */
final class Generators {
  private Generators() {}

  enum Kind {
    UUID,
    UUID_COUNTER,
    TRACKER;

    static Kind of(String name) {
      return switch (name) {
        case "uuid" -> UUID;
        case "tracker" -> TRACKER;
        default -> UUID_COUNTER;
      };
    }
  }

  /** One worker's UUID and its count of ids made so far. */
  private static final class Worker {
    final String uuid = randomUuid();
    long counter;
    long requests;
  }

  private static final ThreadLocal<Worker> WORKER = ThreadLocal.withInitial(Worker::new);
  private static final long PID = ProcessHandle.current().pid();

  static String next(Kind kind, StepContext ctx) {
    return switch (kind) {
      case UUID -> randomUuid();
      case UUID_COUNTER -> {
        Worker w = WORKER.get();
        yield w.uuid + "#" + ++w.counter;
      }
      case TRACKER -> tracker(ctx);
    };
  }

  /**
   * Kong's tracker: server address and port, worker pid, nginx's connection serial and requests on
   * it, and the time with milliseconds. The connection is not known to a step: its two fields are
   * this worker's serial of the request and 1, which keeps the id unique on this node.
   */
  private static String tracker(StepContext ctx) {
    InetSocketAddress local = ctx.facts().local();
    long serial = ++WORKER.get().requests;
    double now = System.currentTimeMillis() / 1000.0;
    return local.getAddress().getHostAddress() + "-" + local.getPort() + "-" + PID + "-" + serial + "-1-"
        + String.format(Locale.ROOT, "%.3f", now);
  }

  /** A random (version 4) UUID from the thread's generator: no lock, no entropy pool to wait on. */
  private static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L;
    long low = (r.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }
}
