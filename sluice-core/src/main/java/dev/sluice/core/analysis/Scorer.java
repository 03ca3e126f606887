package dev.sluice.core.analysis;

import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.internal.Decimals;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The scoring of one measurement: the score of its metrics and its verdict, after Kayenta's
 * weighted-sum scorer.
 *
 * <ol>
 *   <li>The score is the weighted share of passing metrics among those that were judged: 100 *
 *       (weight of Pass) / (weight of Pass, High, Low and Fail). NoData and Error metrics do not
 *       count either way (Kayenta leaves NoData out the same way).
 *   <li>A metric marked critical that failed makes the score 0 and the verdict FAIL.
 *   <li>A score below the marginal threshold is a FAIL. A provider error never hides a failure:
 *       this and the rule above come first.
 *   <li>Otherwise, any provider error makes the verdict ERROR (the run counts these in a row
 *       against {@code consecutiveErrorLimit}).
 *   <li>A critical metric without data, or no judged metric at all, is INCONCLUSIVE: too little
 *       data is never a failure (Flagger's users know the pain of the opposite).
 *   <li>Otherwise PASS from the pass threshold up, else MARGINAL.
 * </ol>
 *
 * <p>Weight 0 shows a metric without counting it; when every judged metric weighs 0 the score is
 * 100.
 */
public final class Scorer {
  private Scorer() {}

  /**
   * Scores the measurements of one analysis.
   *
   * @param spec for each metric's weight and criticality, and the thresholds
   * @param measurements one per metric
   * @param canaryRequests requests the canary served in the window
   * @param baselineRequests requests the baseline served in the window
   */
  public static AnalysisResult score(
      AnalysisSpec spec,
      List<Measurement> measurements,
      long canaryRequests,
      long baselineRequests) {
    double counted = 0;
    double passed = 0;
    int judged = 0;
    String criticalFailure = null;
    String criticalNoData = null;
    List<String> errors = new ArrayList<>();
    for (Measurement m : measurements) {
      MetricSpec metric = spec.metric(m.metric());
      double weight = metric == null ? 1 : metric.weight();
      boolean critical = metric != null && metric.critical();
      Classification c = m.classification();
      if (c == Classification.ERROR) {
        errors.add(m.metric());
      } else if (c == Classification.NODATA) {
        if (critical && criticalNoData == null) {
          criticalNoData = m.metric();
        }
      } else {
        judged++;
        counted += weight;
        if (c == Classification.PASS) {
          passed += weight;
        } else if (critical && criticalFailure == null) {
          criticalFailure = "critical metric " + m.metric() + " is " + c.label();
        }
      }
    }
    @Nullable Double score = judged == 0 ? null : counted == 0 ? 100.0 : 100 * passed / counted;
    Verdict verdict;
    String reason;
    if (criticalFailure != null) {
      verdict = Verdict.FAIL;
      score = 0.0;
      reason = criticalFailure;
    } else if (score != null && score < spec.marginalScore()) {
      verdict = Verdict.FAIL;
      reason = "score " + Decimals.format(score) + " < marginal " + fmt(spec.marginalScore());
    } else if (!errors.isEmpty()) {
      verdict = Verdict.ERROR;
      reason =
          errors.size() == 1
              ? "metric " + errors.get(0) + " could not be measured"
              : errors.size() + " metrics could not be measured: " + String.join(", ", errors);
    } else if (criticalNoData != null) {
      verdict = Verdict.INCONCLUSIVE;
      reason = "critical metric " + criticalNoData + " has no data";
    } else if (score == null) {
      verdict = Verdict.INCONCLUSIVE;
      reason = measurements.isEmpty() ? "no metrics" : "no metric had data";
    } else if (score >= spec.passScore()) {
      verdict = Verdict.PASS;
      reason = "";
    } else {
      verdict = Verdict.MARGINAL;
      reason = "score " + Decimals.format(score) + " < pass " + fmt(spec.passScore());
    }
    return new AnalysisResult(
        verdict, score, reason, canaryRequests, baselineRequests, measurements);
  }

  private static String fmt(double d) {
    return Decimals.format(d);
  }
}
