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
    @Nullable Classification judged) {

  public Measurement(
      String metric,
      MetricUnit unit,
      @Nullable Double canary,
      @Nullable Double baseline,
      Classification classification,
      String reason,
      long requests,
      @Nullable String error) {
    this(metric, unit, canary, baseline, classification, reason, requests, error, null);
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
