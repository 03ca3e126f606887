package dev.sluice.flags.internal;

import dev.sluice.flags.ErrorCode;
import org.jspecify.annotations.Nullable;

/**
 * What resolving a flag came to before it is typed: a row of the flag's precomputed results, "no
 * variant" (the caller's default with reason DEFAULT), or an error. Successful outcomes are
 * preallocated per flag, so resolution allocates only on failures.
 *
 * @param row the index into the flag's result tables, or -1
 * @param error the error, or null
 * @param message the error's description, or null
 */
public record Outcome(int row, @Nullable ErrorCode error, @Nullable String message) {
  /** Targeting gave no variant and the flag has no default variant. */
  public static final Outcome NO_VARIANT = new Outcome(-1, null, null);

  /** An error outcome. */
  public static Outcome failure(ErrorCode error, String message) {
    return new Outcome(-1, error, message);
  }
}
