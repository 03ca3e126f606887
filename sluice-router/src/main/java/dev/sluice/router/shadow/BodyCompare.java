package dev.sluice.router.shadow;

/** How the bodies of a primary and a shadow response are compared. */
public enum BodyCompare {
  /** Bodies are not compared. */
  NONE,
  /** Bodies must be byte for byte equal. */
  EXACT,
  /**
   * Bodies must be equal JSON values: object member order, insignificant whitespace and the
   * spelling of numbers ({@code 1.0} and {@code 1}) do not matter, and the members at {@link
   * Compare#ignoreJsonPointers()} are left out. A body that is not JSON on either side makes the
   * pair an error, not a difference.
   */
  JSON
}
