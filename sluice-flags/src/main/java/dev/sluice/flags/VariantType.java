package dev.sluice.flags;

/** The type shared by all variants of a flag, as flagd's schema requires. */
public enum VariantType {
  /** true/false values: evaluate with {@link FlagEvaluator#booleanValue}. */
  BOOLEAN,
  /** Text values: evaluate with {@link FlagEvaluator#stringValue}. */
  STRING,
  /**
   * Numbers: {@link FlagEvaluator#doubleValue}, or {@link FlagEvaluator#integerValue} for whole
   * ones.
   */
  NUMBER,
  /** JSON objects: evaluate with {@link FlagEvaluator#objectValue}. */
  OBJECT
}
