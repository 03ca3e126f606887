package dev.sluice.server.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do. {@code viewer} reads, {@code operator} also releases (deploy, promote,
 * abort, rollback) and edits flags, {@code admin} also manages tokens; {@code client} only
 * evaluates flags (what an app or an OpenFeature SDK needs, and nothing else).
 */
public enum Role {
  CLIENT,
  VIEWER,
  OPERATOR,
  ADMIN;

  /** Whether a token of this role may make a call that needs {@code needed}. */
  public boolean allows(Role needed) {
    if (needed == CLIENT) {
      return true; // every role may evaluate flags
    }
    return this != CLIENT && ordinal() >= needed.ordinal();
  }

  /** The name used in the API and the CLI: {@code viewer}, {@code operator}... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String text) {
    for (Role r : values()) {
      if (r.label().equals(text)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
