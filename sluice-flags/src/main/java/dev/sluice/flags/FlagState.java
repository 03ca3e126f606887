package dev.sluice.flags;

/** Whether a flag is served (flagd's {@code state}). */
public enum FlagState {
  /** The flag is evaluated normally. */
  ENABLED,
  /** The flag answers with the caller's default and reason {@link Reason#DISABLED}. */
  DISABLED
}
