package dev.sluice.flags;

/**
 * Why an evaluation failed, with OpenFeature's error codes (specification, appendix "Error codes").
 */
public enum ErrorCode {
  /** No flag with that key exists. */
  FLAG_NOT_FOUND,
  /**
   * The flag's definition could not be used (kept for OpenFeature parity; validation prevents it).
   */
  PARSE_ERROR,
  /** The variant's value has another type than the one asked for. */
  TYPE_MISMATCH,
  /** {@code fractional} needed a targeting key and the context had none. */
  TARGETING_KEY_MISSING,
  /** The evaluation context holds a value targeting cannot use (see {@link EvaluationContext}). */
  INVALID_CONTEXT,
  /** Anything else, e.g. targeting returned a name that is not one of the flag's variants. */
  GENERAL
}
