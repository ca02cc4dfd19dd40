package dev.fulcrum.plugin;

import dev.fulcrum.model.Consumer;
import dev.fulcrum.router.RequestFacts;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;

/** What a step sees of the exchange it runs in, and what it may do to it. */
public interface StepContext {
  /** The request head as it will go to the server: steps may change its headers and URI. */
  HttpRequest request();

  /** The request as received, for conditions (ACLs). */
  RequestFacts facts();

  /** The loop the exchange runs on; a paused step resumes on it. */
  EventLoop loop();

  /** Answers here with the listener's error page for {@code status} (Kong's or HAProxy's). */
  void respond(int status);

  /** Answers here with {@code response}; the exchange owns it from now on. */
  void respond(LocalResponse response);

  /**
   * Answers here as Kong's {@code kong.response.error} does: the listener's error shape (JSON by
   * default) with {@code message}, and {@code headers} added (may be null).
   */
  void error(int status, String message, HttpHeaders headers);

  /**
   * Whether the client sent {@code Expect: 100-continue} and holds its body back until told to go
   * on. The header itself is not in {@link #request()}: the gateway answers it once a server takes
   * the request.
   */
  boolean expectsContinue();

  /**
   * Caps the request body at {@code maxBytes} as it streams (nginx's client_max_body_size, also for
   * a chunked body whose size nobody announced): once more has arrived, the body goes no further,
   * the server's connection is closed with the request unfinished, and {@code tooLarge} runs on the
   * loop to answer; if the response has begun by then, the exchange is cut instead. The client's
   * connection closes after that answer, the rest of its body unread. With several caps the
   * smallest holds.
   *
   * @return false, without calling {@code tooLarge}, when more than {@code maxBytes} has already
   *     arrived: the caller answers itself
   */
  boolean limitBody(long maxBytes, Runnable tooLarge);

  /**
   * Has {@code step}'s {@link HttpStep#onResponse} run also on an answer the gateway gives this
   * request itself from now on (another step's, an upstream failure), as Kong runs its plugins'
   * header_filter on Kong's own responses. Otherwise a step sees proxied responses only.
   */
  void alsoOnLocalAnswers(HttpStep step);

  /** The client's address as the proxy trusts it (after PROXY protocol), as text. */
  String clientIp();

  /**
   * Shows the response body from the server to {@code observer} as it is relayed (from {@link
   * HttpStep#onResponse}); nothing is buffered for it.
   */
  void observeResponseBody(BodyObserver observer);

  /** The id of the Kong route the request matched, or null. */
  String routeId();

  /** The id of the Kong service the request was routed to, or null. */
  String serviceId();

  /** The consumer an authentication step established, or null. */
  Consumer consumer();

  /** The id of the credential that authenticated the consumer, or null. */
  String credentialId();

  /** Authenticates the request as {@code consumer} (by {@code credentialId}, null for anonymous). */
  void authenticate(Consumer consumer, String credentialId);

  /** What {@code step} remembered for this request, or null. */
  Object attachment(HttpStep step);

  /** Remembers {@code value} for {@code step} until the exchange is over. */
  void attach(HttpStep step, Object value);

  /** Goes on after a step returned {@link Flow#PAUSE}; from any thread. */
  void resume();

  /** The response status sent, or -1 while there is none (log phase). */
  int status();

  /** When the request head arrived ({@link System#nanoTime}). */
  long receivedNanos();

  /** When the request went to the server, or 0 if it never did. */
  long sentNanos();
}
