package dev.fulcrum.haproxy;

/** A haproxy.cfg Fulcrum cannot run: the message names file, line and reason. */
public final class CfgException extends RuntimeException {
  public CfgException(String message) {
    super(message);
  }
}
