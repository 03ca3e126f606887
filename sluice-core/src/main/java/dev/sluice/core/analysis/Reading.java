package dev.sluice.core.analysis;

import org.jspecify.annotations.Nullable;

/**
 * What a metric provider read for one metric: the canary's value, the baseline's when a condition
 * compares with it, the samples the judge compares, or a pass/fail check (a command's exit status).
 * {@link MetricEvaluator} turns it into a {@link Measurement}.
 *
 * @param canary the canary's value; null when there was no data
 * @param baseline the baseline's value; null when not read or no data
 * @param canarySample per-request observations of the canary, for the judge; null when none
 * @param baselineSample per-request observations of the baseline; null when none
 * @param check true for a reading that is only a pass or a fail, without a value to show
 * @param failure why the provider says the metric failed (a command's non-zero exit), or null
 * @param note why something is missing, e.g. {@code baseline served 3 requests}; may be empty
 * @param observations how many observations the canary's value comes from (the compared pairs of
 *     {@code diff_rate}), or null when the provider does not say
 */
public record Reading(
    @Nullable Double canary,
    @Nullable Double baseline,
    @Nullable Sample canarySample,
    @Nullable Sample baselineSample,
    boolean check,
    @Nullable String failure,
    String note,
    @Nullable Long observations) {

  public Reading(
      @Nullable Double canary,
      @Nullable Double baseline,
      @Nullable Sample canarySample,
      @Nullable Sample baselineSample,
      boolean check,
      @Nullable String failure,
      String note) {
    this(canary, baseline, canarySample, baselineSample, check, failure, note, null);
  }

  /** The canary's value (null: no data) and the baseline's (null: none). */
  public static Reading of(@Nullable Double canary, @Nullable Double baseline) {
    return new Reading(canary, baseline, null, null, false, null, "");
  }

  /** The canary's value only. */
  public static Reading of(double canary) {
    return of(canary, null);
  }

  /** No data, and why: NoData, never a failure. */
  public static Reading noData(String why) {
    return new Reading(null, null, null, null, false, null, why);
  }

  /** A check that passed, with what it said (e.g. {@code exit status 0}). */
  public static Reading passed(String detail) {
    return new Reading(null, null, null, null, true, null, detail);
  }

  /** A check that failed, with why (e.g. {@code exit status 1: connection refused}). */
  public static Reading failed(String why) {
    return new Reading(null, null, null, null, true, why, "");
  }

  /** The same reading with the judge's samples. */
  public Reading withSamples(@Nullable Sample baselineSample, @Nullable Sample canarySample) {
    return new Reading(
        canary, baseline, canarySample, baselineSample, check, failure, note, observations);
  }

  /** The same reading with the number of observations its value comes from. */
  public Reading withObservations(long observations) {
    return new Reading(
        canary, baseline, canarySample, baselineSample, check, failure, note, observations);
  }

  /** The same reading with a note on what is missing. */
  public Reading withNote(String note) {
    return new Reading(
        canary, baseline, canarySample, baselineSample, check, failure, note, observations);
  }
}
