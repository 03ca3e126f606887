package dev.sluice.server.flags;

/**
 * A change request to the flag set that was refused before anything changed: the flag does not
 * exist, the request is malformed, or it conflicts with the flag's definition or version. Invalid
 * flag definitions are reported by {@link dev.sluice.flags.InvalidFlagSetException} instead.
 */
public final class FlagEditException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused, which decides the HTTP status. */
  public enum Kind {
    /** No flag has the key (404). */
    NOT_FOUND,
    /** The request itself is wrong (400). */
    INVALID,
    /** The request does not fit the flag's current definition or version (409). */
    CONFLICT
  }

  private final Kind kind;

  public FlagEditException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
