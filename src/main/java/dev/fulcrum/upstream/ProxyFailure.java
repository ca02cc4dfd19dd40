package dev.fulcrum.upstream;

/**
 * Why a try at an upstream failed (the TCP and HTTP proxies share it, as Zuul's
 * OutboundErrorType): the status the client gets if no retry saves the request,
 * whether the request surely never reached the target (always safe to retry), and whether it
 * counts as a timeout (Kong's passive health checks and HAProxy's counters tell them apart).
 */
public enum ProxyFailure {
  /** The connection was refused or reset while connecting. */
  CONNECT_FAILED(502, true, false),
  /** No connection within the service's connect_timeout. */
  CONNECT_TIMEOUT(504, true, true),
  /** The connection closed or reset before the first response byte. */
  RESET_BEFORE_RESPONSE(502, false, false),
  /** No response within read_timeout. */
  READ_TIMEOUT(504, false, true),
  /** The upstream did not take the request body within write_timeout. */
  WRITE_TIMEOUT(504, false, true),
  /** The response could not be parsed. */
  BAD_RESPONSE(502, false, false),
  /** The response had a status the retry rules retry on (HAProxy's retry-on 503 ...). */
  RETRYABLE_STATUS(502, false, false);

  final int status;
  final boolean beforeSend;
  final boolean timeout;

  /** The status the client gets when no retry saves the request. */
  public int status() {
    return status;
  }

  /** The request surely never reached the server. */
  public boolean beforeSend() {
    return beforeSend;
  }

  public boolean timeout() {
    return timeout;
  }

  ProxyFailure(int status, boolean beforeSend, boolean timeout) {
    this.status = status;
    this.beforeSend = beforeSend;
    this.timeout = timeout;
  }
}
