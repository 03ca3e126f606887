package dev.sluice.core.analysis;

import dev.sluice.core.analysis.internal.Decimals;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link MannWhitneyJudge} found when it compared a canary sample with a baseline sample.
 *
 * @param classification {@code PASS}, {@code HIGH}, {@code LOW} or {@code NODATA}
 * @param confidence the confidence level the test ran at, e.g. 0.98
 * @param effectBound the smallest {@code |A - 0.5|} the judge calls a difference
 * @param baselineSize observations of the baseline (m)
 * @param canarySize observations of the canary (n)
 * @param u the Mann-Whitney U of the canary: pairs (baseline x, canary y) with y > x, ties half
 * @param z the normal approximation of U with tie and continuity corrections
 * @param p the two-sided p-value
 * @param effect A = U / (m n), the probability that a canary observation exceeds a baseline one
 *     (ties half): 0.5 is no difference
 * @param shift the Hodges-Lehmann estimate of the location shift, canary minus baseline: the median
 *     of all m n differences
 * @param shiftLow the lower end of the shift's confidence interval (-Infinity when the samples are
 *     too small to bound it)
 * @param shiftHigh the upper end of the shift's confidence interval (+Infinity when unbounded)
 * @param why the reason for the classification, e.g. {@code no significant difference}
 */
public record Judgement(
    Classification classification,
    double confidence,
    double effectBound,
    long baselineSize,
    long canarySize,
    double u,
    double z,
    double p,
    double effect,
    double shift,
    double shiftLow,
    double shiftHigh,
    String why) {

  /**
   * One line for people, e.g. {@code canary higher (Mann-Whitney p=1.8e-4 < 0.02, A=1), shift
   * +10ms, 98% CI +6ms..+14ms}. The shift is shown in {@code shiftUnit}, or left out when null (for
   * 0/1 samples, where the median difference says nothing).
   */
  public String describe(@Nullable MetricUnit shiftUnit) {
    if (classification == Classification.NODATA || shiftUnit == null || Double.isNaN(shift)) {
      return why;
    }
    StringBuilder b =
        new StringBuilder(why).append(", shift ").append(shiftUnit.formatSigned(shift));
    if (!Double.isInfinite(shiftLow) && !Double.isInfinite(shiftHigh)) {
      b.append(", ")
          .append(Decimals.format(confidence * 100))
          .append("% CI ")
          .append(shiftUnit.formatSigned(shiftLow))
          .append("..")
          .append(shiftUnit.formatSigned(shiftHigh));
    }
    return b.toString();
  }
}
