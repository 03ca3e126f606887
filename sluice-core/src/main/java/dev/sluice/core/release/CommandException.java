package dev.sluice.core.release;

/**
 * A command that cannot be carried out in the app's current state, with a message that says why and
 * what to do instead. Nothing was changed.
 */
public final class CommandException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why: maps to HTTP 409, 404 and 400. */
  public enum Kind {
    CONFLICT,
    NOT_FOUND,
    INVALID
  }

  private final Kind kind;

  public CommandException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
