package dev.fulcrum.store;

/** The database refused a write that would duplicate a unique value (a race the DAO lost). */
public final class UniqueViolationException extends RuntimeException {
  public UniqueViolationException(String message) {
    super(message);
  }
}
