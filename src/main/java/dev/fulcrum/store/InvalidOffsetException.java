package dev.fulcrum.store;

/** A page token that this store did not produce. */
public final class InvalidOffsetException extends RuntimeException {
  public InvalidOffsetException(String message) {
    super(message);
  }
}
