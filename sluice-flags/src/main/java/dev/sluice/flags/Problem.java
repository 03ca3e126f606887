package dev.sluice.flags;

/**
 * One thing wrong with a flag set document: where it is, the value found there and what was
 * expected instead. Its text reads {@code flags.new-checkout.defaultVariant: "of" (expected: one of
 * the variants: on, off)}.
 *
 * @param path where the value is, e.g. {@code flags.new-checkout.defaultVariant}
 * @param value the value found, as compact JSON, or {@code missing}
 * @param expected what would have been valid
 */
public record Problem(String path, String value, String expected) {
  @Override
  public String toString() {
    return path + ": " + value + " (expected: " + expected + ")";
  }
}
