package dev.fulcrum.upstream;

/** What an operator did to a server (runtime API commands, Admin API health). */
public enum ServerChange {
  ENTER_MAINT,
  LEAVE_MAINT,
  ENTER_DRAIN,
  LEAVE_DRAIN,
  HEALTH_UP,
  HEALTH_STOPPING,
  HEALTH_DOWN,
  WEIGHT
}
