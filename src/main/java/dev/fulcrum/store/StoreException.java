package dev.fulcrum.store;

/** The database failed or is out of reach; the Admin API answers 500, the proxy keeps serving. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
