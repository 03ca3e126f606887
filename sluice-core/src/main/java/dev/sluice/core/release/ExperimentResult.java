package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricUnit;
import dev.sluice.core.spec.StrategySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where an A/B experiment stands, derived from its recorded measurements only: per arm, the
 * requests of the last analysis window and, per metric, the arm's value against the baseline's,
 * their difference, the judge's p-value and the verdict; the arm the last measurements find better
 * than all others; and the winner once the experiment ended with one.
 *
 * <p>The verdicts are the ones {@link ExperimentStrategy} decides by (latency and errors are better
 * low): a metric is <b>worse</b> when it is High or failed, <b>better</b> when it is Low or the
 * judge found it lower, else there is <b>no significant difference</b> (or no data).
 *
 * <pre>{@code
 * ExperimentResult result = ExperimentResult.of(release, state.stableVersion());
 * }</pre>
 *
 * @param baseline the first arm, which the others are measured against
 * @param window how far back each measurement looked (the requests are counted over it)
 * @param arms every arm, the baseline first
 * @param better the arm better than all others by the last measurements, or null
 * @param winner the arm that became stable when the experiment ended, or null
 * @param chosenBy {@code judge} or {@code person} when there is a winner, else null
 */
public record ExperimentResult(
    String baseline,
    Duration window,
    List<Arm> arms,
    @Nullable String better,
    @Nullable String winner,
    @Nullable String chosenBy) {

  public ExperimentResult {
    arms = List.copyOf(arms);
  }

  /** What the measurements say about an arm or one of its metrics. */
  public enum Verdict {
    BETTER("better"),
    WORSE("worse"),
    NO_DIFFERENCE("no significant difference"),
    NO_DATA("no data");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }

    /** The words shown to people, e.g. {@code no significant difference}. */
    public String label() {
      return label;
    }
  }

  /**
   * One arm.
   *
   * @param version the arm's version
   * @param weight its share of users, percent
   * @param baseline true for the first arm
   * @param requests requests it served in the last measurement's window; null before one
   * @param measurements measurements of the arm's analysis run (for the baseline, 0)
   * @param run the status of the arm's analysis run ({@code RUNNING}, {@code FAILED}...); null for
   *     the baseline
   * @param verdict the arm against the baseline; {@code NO_DATA} for the baseline itself
   * @param metrics one per metric of the last measurement (empty for the baseline)
   */
  public record Arm(
      String version,
      int weight,
      boolean baseline,
      @Nullable Long requests,
      int measurements,
      @Nullable String run,
      Verdict verdict,
      List<Metric> metrics) {
    public Arm {
      metrics = List.copyOf(metrics);
    }
  }

  /**
   * One metric of a challenger arm against the baseline, in its last measurement.
   *
   * @param metric the metric's name
   * @param unit how its values are shown
   * @param value the arm's value, null without data
   * @param baseline the baseline's value, null when not read
   * @param difference {@code value - baseline}, null when either is missing
   * @param relative {@code difference / baseline}, null when it is undefined (a baseline of 0)
   * @param confidence the confidence level the judge ran at, null when it did not run
   * @param p the judge's two-sided p-value, null when it did not run
   * @param shiftLow the lower end of the judge's confidence interval for the shift (latency)
   * @param shiftHigh its upper end
   * @param classification the metric's classification ({@code Pass}, {@code High}...)
   * @param verdict better, worse, no significant difference or no data
   * @param reason the measurement's own words
   */
  public record Metric(
      String metric,
      MetricUnit unit,
      @Nullable Double value,
      @Nullable Double baseline,
      @Nullable Double difference,
      @Nullable Double relative,
      @Nullable Double confidence,
      @Nullable Double p,
      @Nullable Double shiftLow,
      @Nullable Double shiftHigh,
      Classification classification,
      Verdict verdict,
      String reason) {

    static Metric of(Measurement m) {
      Double diff = m.canary() == null || m.baseline() == null ? null : m.canary() - m.baseline();
      Double rel = diff == null || m.baseline() == 0 ? null : diff / m.baseline();
      Measurement.Test t = m.test();
      return new Metric(
          m.metric(),
          m.unit(),
          m.canary(),
          m.baseline(),
          diff,
          rel,
          t == null ? null : t.confidence(),
          t == null ? null : t.p(),
          t == null ? null : t.shiftLow(),
          t == null ? null : t.shiftHigh(),
          m.classification(),
          ExperimentResult.verdict(m),
          m.reason());
    }

    /** One line for people: {@code p50 52ms vs 11ms: +41ms (+373%), p=1.2e-9 at 98%: worse}. */
    public String describe() {
      StringBuilder b = new StringBuilder(metric);
      if (value != null) {
        b.append(' ').append(unit.format(value));
        if (baseline != null) {
          b.append(" vs ").append(unit.format(baseline));
        }
      }
      if (difference != null) {
        b.append(": ").append(unit.formatSigned(difference));
        if (relative != null) {
          b.append(" (").append(MetricUnit.RATIO.formatSigned(relative)).append(')');
        }
      }
      if (p != null && confidence != null) {
        b.append(", p=")
            .append(MetricUnit.NUMBER.format(p < 0.001 ? p : round(p)))
            .append(" at ")
            .append(MetricUnit.RATIO.format(confidence));
        if (shiftLow != null && shiftHigh != null) {
          b.append(", shift ")
              .append(unit.formatSigned(shiftLow))
              .append("..")
              .append(unit.formatSigned(shiftHigh));
        }
      }
      return b.append(": ").append(verdict.label()).toString();
    }

    private static double round(double p) {
      return Math.round(p * 1000) / 1000.0;
    }
  }

  /** The verdict on one metric of a challenger (lower is better for latency and errors). */
  public static Verdict verdict(Measurement m) {
    Classification c = m.classification();
    if (c == Classification.HIGH || c == Classification.FAIL) {
      return Verdict.WORSE;
    }
    if (c == Classification.LOW || m.judged() == Classification.LOW) {
      return Verdict.BETTER;
    }
    return c == Classification.NODATA || c == Classification.ERROR
        ? Verdict.NO_DATA
        : Verdict.NO_DIFFERENCE;
  }

  /** The verdict on a challenger by one measurement: worse if any metric is, else better if any. */
  public static Verdict verdict(AnalysisResult result) {
    boolean better = false;
    boolean data = false;
    for (Measurement m : result.measurements()) {
      Verdict v = verdict(m);
      if (v == Verdict.WORSE) {
        return Verdict.WORSE;
      }
      better |= v == Verdict.BETTER;
      data |= v != Verdict.NO_DATA;
    }
    return better ? Verdict.BETTER : data ? Verdict.NO_DIFFERENCE : Verdict.NO_DATA;
  }

  /**
   * The result of an experiment release, or null for a release of another strategy.
   *
   * @param stable the stable version now: the winner when {@code r} succeeded
   */
  public static @Nullable ExperimentResult of(Release r, @Nullable String stable) {
    if (!(r.spec().strategy() instanceof StrategySpec.Experiment e)) {
      return null;
    }
    String base = e.arms().get(0).version();
    Long baseRequests = null;
    List<Arm> challengers = new ArrayList<>();
    for (StrategySpec.Experiment.Arm arm : e.arms().subList(1, e.arms().size())) {
      AnalysisRun run = r.runs().get("arm-" + arm.version());
      AnalysisResult last = run == null ? null : run.last();
      List<Metric> metrics = new ArrayList<>();
      if (last != null) {
        last.measurements().forEach(m -> metrics.add(Metric.of(m)));
        if (baseRequests == null) {
          baseRequests = last.baselineRequests();
        }
      }
      challengers.add(
          new Arm(
              arm.version(),
              arm.weight(),
              false,
              last == null ? null : last.canaryRequests(),
              run == null ? 0 : run.measurements(),
              run == null ? null : run.status().name(),
              last == null ? Verdict.NO_DATA : verdict(last),
              metrics));
    }
    List<Arm> arms = new ArrayList<>();
    arms.add(
        new Arm(
            base,
            e.arms().get(0).weight(),
            true,
            baseRequests,
            0,
            null,
            Verdict.NO_DATA,
            List.of()));
    arms.addAll(challengers);
    String winner =
        r.phase() == ReleasePhase.SUCCEEDED && stable != null && e.arm(stable) != null
            ? stable
            : null;
    String chosenBy =
        winner == null ? null : winner.equals(r.promoteVersion()) ? "person" : "judge";
    return new ExperimentResult(
        base, e.analysis().window(), arms, ExperimentStrategy.winner(r, e), winner, chosenBy);
  }
}
