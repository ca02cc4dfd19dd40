package dev.fulcrum.admin;

/** Ends a request early with a ready response (bad body, bad query). */
final class AdminException extends RuntimeException {
  final AdminResponse response;

  AdminException(AdminResponse response) {
    super(null, null, false, false);
    this.response = response;
  }
}
