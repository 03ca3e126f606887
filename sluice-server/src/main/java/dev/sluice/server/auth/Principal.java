package dev.sluice.server.auth;

import org.jspecify.annotations.Nullable;

/**
 * The holder of a valid token: its name (recorded in the event log), role, and the flag environment
 * its evaluations use (null when the token names none).
 */
public record Principal(String name, Role role, @Nullable String environment) {

  /** A holder whose token names no flag environment. */
  public Principal(String name, Role role) {
    this(name, role, null);
  }
}
