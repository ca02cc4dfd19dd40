package dev.fulcrum.store;

/**
 * The database failed or is out of reach. The proxy keeps serving; the Admin API answers 500, or
 * 503 when the database cannot be reached or cannot store anything (nothing was changed then).
 */
public final class StoreException extends RuntimeException {
  private final boolean unreachable;
  /** Why the database can store nothing now (disk full, read-only), or null. */
  private String cannotWrite;

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

  /**
   * The database refused to store the change for want of room or of write access; the
   * transaction was rolled back.
   *
   * @param why "the disk is full", "the database is read-only"
   */
  public static StoreException cannotWrite(String why, Throwable cause) {
    StoreException e = new StoreException("database cannot write: " + why, cause, false);
    e.cannotWrite = why;
    return e;
  }

  /** Why nothing can be written now, or null when that is not the trouble. */
  public String cannotWrite() {
    return cannotWrite;
  }
}
