package dev.sluice.flags;

/**
 * Why an evaluation produced its value, with OpenFeature's resolution reasons (specification, "Flag
 * evaluation", section 1.4 and appendix "Resolution reasons").
 */
public enum Reason {
  /** The flag has no targeting; its default variant is served to everyone. */
  STATIC,
  /** Targeting chose a variant. */
  TARGETING_MATCH,
  /** A pseudorandom split ({@code fractional}) chose the variant. */
  SPLIT,
  /**
   * Targeting did not choose a variant (it returned null, or a custom operation got input it could
   * not use), so the default variant was served, or the caller's default when the flag has none.
   */
  DEFAULT,
  /** The flag is disabled (in the environment asked for); the caller's default is returned. */
  DISABLED,
  /** Evaluation failed; the caller's default is returned and the error code says why. */
  ERROR
}
