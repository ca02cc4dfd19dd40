package dev.fulcrum.store;

/**
 * The database failed or is out of reach. The proxy keeps serving; the Admin API answers 500, or
 * 503 when the database cannot be reached (nothing was changed then).
 */
public final class StoreException extends RuntimeException {
  private final boolean unreachable;

  public StoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public StoreException(String message) {
    this(message, null, false);
  }

  private StoreException(String message, Throwable cause, boolean unreachable) {
    super(message, cause);
    this.unreachable = unreachable;
  }

  /** The database could not be reached (connection refused, timed out, lost). */
  public static StoreException unreachable(String message, Throwable cause) {
    return new StoreException(message, cause, true);
  }

  public boolean unreachable() {
    return unreachable;
  }
}
