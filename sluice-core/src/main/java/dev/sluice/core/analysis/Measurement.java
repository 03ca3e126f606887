package dev.sluice.core.analysis;

import org.jspecify.annotations.Nullable;

/**
 * One metric's result in one measurement, compact enough for the event log, with a one-line
 * description for people: {@code p99 412ms vs baseline 201ms: High (ratio 2.05 > maxRatioToBaseline
 * 1.5)}.
 *
 * @param metric the metric's name
 * @param unit how the values are shown
 * @param canary the canary's value; null when there was none
 * @param baseline the baseline's value; null when not compared or none
 * @param classification the verdict on the metric
 * @param reason why, e.g. {@code ratio 2.05 > maxRatioToBaseline 1.5}; empty for a plain pass
 * @param requests requests the canary served in the window
 * @param error the provider's error when the classification is {@code ERROR}, else null
 * @param judged what the Mann-Whitney judge found ({@code HIGH}, {@code LOW} or {@code PASS}) when
 *     it ran, else null; a canary judged {@code LOW} on latency still passes, and experiments use
 *     this to tell a better arm
 * @param test the judge's statistics when it compared two samples, else null: how sure the
 *     difference is, for {@code sluice status} and experiments
 * @param observations how many observations the canary's value was computed from, when the provider
 *     says (the compared pairs of {@code diff_rate}), else null
 */
public record Measurement(
    String metric,
    MetricUnit unit,
    @Nullable Double canary,
    @Nullable Double baseline,
    Classification classification,
    String reason,
    long requests,
    @Nullable String error,
    @Nullable Classification judged,
    @Nullable Test test,
    @Nullable Long observations) {

  /**
   * What the {@link MannWhitneyJudge} computed, as recorded: the two-sided p-value, the effect size
   * A (0.5: no tendency) and, for latency, the Hodges-Lehmann shift of the canary against the
   * baseline with its confidence interval at the analysis's confidence (null where unbounded).
   */
  public record Test(
      double confidence,
      double p,
      double effect,
      @Nullable Double shift,
      @Nullable Double shiftLow,
      @Nullable Double shiftHigh) {

    /** The statistics of a judgement that compared two samples; null for NoData. */
    public static @Nullable Test of(Judgement j, boolean withShift) {
      if (j.classification() == Classification.NODATA || Double.isNaN(j.p())) {
        return null;
      }
      return new Test(
          j.confidence(),
          j.p(),
          j.effect(),
          withShift ? finite(j.shift()) : null,
          withShift ? finite(j.shiftLow()) : null,
          withShift ? finite(j.shiftHigh()) : null);
    }

    private static @Nullable Double finite(double d) {
      return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    }
  }

  public Measurement(
      String metric,
      MetricUnit unit,
      @Nullable Double canary,
      @Nullable Double baseline,
      Classification classification,
      String reason,
      long requests,
      @Nullable String error,
      @Nullable Classification judged) {
    this(
        metric,
        unit,
        canary,
        baseline,
        classification,
        reason,
        requests,
        error,
        judged,
        null,
        null);
  }

  public Measurement(
      String metric,
      MetricUnit unit,
      @Nullable Double canary,
      @Nullable Double baseline,
      Classification classification,
      String reason,
      long requests,
      @Nullable String error) {
    this(metric, unit, canary, baseline, classification, reason, requests, error, null, null, null);
  }

  /** A metric whose provider failed to measure. */
  public static Measurement error(MetricSpec metric, long requests, String error) {
    return new Measurement(
        metric.name(), metric.unit(), null, null, Classification.ERROR, error, requests, error);
  }

  /** One line for people. */
  public String describe() {
    StringBuilder b = new StringBuilder(metric);
    if (canary != null) {
      b.append(' ').append(unit.format(canary));
      if (baseline != null) {
        b.append(" vs baseline ").append(unit.format(baseline));
      }
    }
    b.append(": ").append(classification.label());
    if (!reason.isEmpty()) {
      b.append(" (").append(reason).append(')');
    }
    return b.toString();
  }
}
