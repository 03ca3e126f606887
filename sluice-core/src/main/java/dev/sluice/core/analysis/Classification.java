package dev.sluice.core.analysis;

/**
 * The verdict on one metric in one measurement, as Kayenta names them, plus {@link #FAIL} for
 * checks without a direction and {@link #ERROR} for a provider that could not measure.
 */
public enum Classification {
  /** Every check that could run passed. */
  PASS("Pass"),
  /** The canary is too high: above {@code max}, too far above the baseline, or judged higher. */
  HIGH("High"),
  /** The canary is too low: below {@code min}, or judged lower where lower is worse. */
  LOW("Low"),
  /** A check without a direction failed, e.g. a command exited non-zero. */
  FAIL("Fail"),
  /** Nothing to judge: no data, or too few requests. Never a failure. */
  NODATA("NoData"),
  /** The provider could not measure (unreachable, timed out, bad answer). */
  ERROR("Error");

  private final String label;

  Classification(String label) {
    this.label = label;
  }

  /** The name shown to people: {@code Pass}, {@code High}, {@code NoData}... */
  public String label() {
    return label;
  }

  /** True for {@link #HIGH}, {@link #LOW} and {@link #FAIL}: the metric failed. */
  public boolean failed() {
    return this == HIGH || this == LOW || this == FAIL;
  }
}
