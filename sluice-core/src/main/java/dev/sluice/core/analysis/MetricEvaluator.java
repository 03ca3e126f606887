package dev.sluice.core.analysis;

import dev.sluice.core.analysis.internal.Decimals;
import java.util.ArrayList;
import java.util.List;

/**
 * The step from a provider's {@link Reading} of one metric to its {@link Measurement}. It checks
 * the conditions ({@code max}, {@code min}, {@code maxRatioToBaseline}, {@code maxIncrease}) on the
 * point values and runs the {@link MannWhitneyJudge} on the samples.
 *
 * <p>The metric fails when any check fails (the first failure names the classification, the reason
 * lists them all). A check that lacks its data (no baseline, too few baseline requests) is skipped
 * and named in the reason; when every check was skipped the metric is NoData, never a failure. The
 * judge runs on latency and error rates, where lower is better, so a canary judged lower than its
 * baseline passes.
 */
public final class MetricEvaluator {
  private MetricEvaluator() {}

  /**
   * Evaluates one metric.
   *
   * @param analysis for the judge's confidence level
   * @param metric the metric and its conditions
   * @param reading what its provider read
   * @param requests requests the canary served in the window, recorded with the measurement
   */
  public static Measurement evaluate(
      AnalysisSpec analysis, MetricSpec metric, Reading reading, long requests) {
    MetricUnit unit = metric.unit();
    if (reading.check()) {
      String failure = reading.failure();
      return failure != null
          ? measurement(metric, reading, Classification.FAIL, failure, requests)
          : measurement(metric, reading, Classification.PASS, reading.note(), requests);
    }
    if (reading.failure() != null) {
      return measurement(metric, reading, Classification.FAIL, reading.failure(), requests);
    }
    Double c = reading.canary();
    if (c == null) {
      String why = reading.note().isEmpty() ? "no data" : reading.note();
      return measurement(metric, reading, Classification.NODATA, why, requests);
    }
    Double b = reading.baseline();
    MetricSpec.Conditions cond = metric.conditions();
    List<String> failures = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    Classification first = null;
    int ran = 0;
    String noBaseline = reading.note().isEmpty() ? "no baseline" : reading.note();

    if (cond.max() != null) {
      ran++;
      if (c > cond.max()) {
        first = first == null ? Classification.HIGH : first;
        failures.add(unit.format(c) + " > max " + unit.format(cond.max()));
      }
    }
    if (cond.min() != null) {
      ran++;
      if (c < cond.min()) {
        first = first == null ? Classification.LOW : first;
        failures.add(unit.format(c) + " < min " + unit.format(cond.min()));
      }
    }
    if (cond.maxRatioToBaseline() != null) {
      if (b == null) {
        skipped.add("maxRatioToBaseline not checked: " + noBaseline);
      } else {
        ran++;
        double ratio = b == 0 ? (c == 0 ? 1 : Double.POSITIVE_INFINITY) : c / b;
        if (ratio > cond.maxRatioToBaseline()) {
          first = first == null ? Classification.HIGH : first;
          failures.add(
              "ratio "
                  + Decimals.format(ratio)
                  + " > maxRatioToBaseline "
                  + Decimals.format(cond.maxRatioToBaseline())
                  + (b == 0 ? " (baseline 0)" : ""));
        }
      }
    }
    if (cond.maxIncrease() != null) {
      if (b == null) {
        skipped.add("maxIncrease not checked: " + noBaseline);
      } else {
        ran++;
        double increase = c - b;
        if (increase > cond.maxIncrease()) {
          first = first == null ? Classification.HIGH : first;
          failures.add(
              "increase "
                  + unit.formatSigned(increase)
                  + " > maxIncrease "
                  + unit.format(cond.maxIncrease()));
        }
      }
    }
    Classification judged = null;
    Measurement.Test test = null;
    if (metric.judge()) {
      Sample cs = reading.canarySample();
      Sample bs = reading.baselineSample();
      if (cs == null || bs == null) {
        skipped.add("judge skipped: " + noBaseline);
      } else {
        Judgement j = MannWhitneyJudge.of(analysis.confidence(), metric.effectSize()).judge(bs, cs);
        judged = j.classification() == Classification.NODATA ? null : j.classification();
        MetricUnit shiftUnit = unit == MetricUnit.MILLISECONDS ? unit : null;
        test = Measurement.Test.of(j, shiftUnit != null);
        if (j.classification() == Classification.NODATA) {
          skipped.add("judge skipped: " + j.why());
        } else {
          ran++;
          double floor = shiftFloor(unit, cond);
          if (j.classification() == Classification.HIGH
              && shiftUnit != null
              && !(j.shiftLow() > floor)) {
            // a real but harmless difference: a cold JVM answering 0.7 ms slower is
            // significant with thousands of requests, and no reason to roll back
            skipped.add(
                "judge: "
                    + j.describe(shiftUnit)
                    + ", within the "
                    + unit.format(floor)
                    + " tolerated shift");
          } else if (j.classification() == Classification.HIGH) {
            first = first == null ? Classification.HIGH : first;
            failures.add(j.describe(shiftUnit));
          }
        }
      }
    }
    if (first != null) {
      return measurement(
          metric, reading, first, String.join("; ", failures), requests, judged, test);
    }
    if (ran == 0) {
      String why = skipped.isEmpty() ? "nothing to check" : String.join("; ", skipped);
      return measurement(metric, reading, Classification.NODATA, why, requests, judged, test);
    }
    return measurement(
        metric, reading, Classification.PASS, String.join("; ", skipped), requests, judged, test);
  }

  /**
   * The smallest latency shift the judge may call High: the metric's {@code maxIncrease} when it
   * has one (the user said how much slower is acceptable), else {@link #MIN_LATENCY_SHIFT_MS}. A
   * judgement is High only when the lower end of the shift's confidence interval is above it:
   * statistically real and practically meaningful.
   */
  static double shiftFloor(MetricUnit unit, MetricSpec.Conditions cond) {
    if (unit != MetricUnit.MILLISECONDS) {
      return Double.NEGATIVE_INFINITY;
    }
    return cond.maxIncrease() != null ? cond.maxIncrease() : MIN_LATENCY_SHIFT_MS;
  }

  /** The latency shift tolerated by default: 1 ms. */
  public static final double MIN_LATENCY_SHIFT_MS = 1.0;

  private static Measurement measurement(
      MetricSpec metric, Reading r, Classification cls, String reason, long requests) {
    return measurement(metric, r, cls, reason, requests, null, null);
  }

  private static Measurement measurement(
      MetricSpec metric,
      Reading r,
      Classification cls,
      String reason,
      long requests,
      @org.jspecify.annotations.Nullable Classification judged,
      Measurement.@org.jspecify.annotations.Nullable Test test) {
    return new Measurement(
        metric.name(),
        metric.unit(),
        r.canary(),
        r.baseline(),
        cls,
        reason,
        requests,
        null,
        judged,
        test,
        r.observations());
  }
}
