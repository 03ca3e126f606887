package dev.sluice.flags.internal.logic;

/**
 * Ends the evaluation of a rule when a flagd custom operation gets input it cannot use.
 *
 * <p>flagd's custom operations return null on bad input "so that errors trigger a default variant
 * fallback, not a false branch" (open-feature/flagd#1874, checked by the flagd-testbed scenarios
 * tagged {@code @operator-errors}). A plain null would still pick the else-branch of an enclosing
 * {@code if}, so the failure unwinds the whole rule instead, and the flag serves its default
 * variant. The two instances are preallocated and carry no stack trace: bad input is expected.
 */
public final class RuleFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An operation got arguments of the wrong type or shape; the default variant is served. */
  public static final RuleFailure INVALID_INPUT = new RuleFailure("invalid operation input");

  /** {@code fractional} needed the targeting key and the context had none. */
  public static final RuleFailure TARGETING_KEY_MISSING =
      new RuleFailure("fractional needs a targeting key or an explicit bucketing value");

  private RuleFailure(String message) {
    super(message, null, false, false);
  }
}
