package dev.sluice.core.analysis;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The state of one analysis run, immutable: when the next measurement is due, what the past ones
 * said, and whether the run is over. Argo Rollouts' AnalysisRun semantics, as a pure value that the
 * controller folds measurements into and that replays the same from the event log.
 *
 * <pre>{@code
 * AnalysisRun run = AnalysisRun.start(spec, clock.instant());
 * if (run.due(clock.instant())) {
 *   run = run.begin(clock.instant());
 *   AnalysisResult result = ...; // measure
 *   run = run.record(result, clock.instant());
 * }
 * if (run.status() == AnalysisRun.Status.FAILED) { ... roll back, run.reason() says why ... }
 * }</pre>
 *
 * <ul>
 *   <li>The first measurement is due {@code initialDelay} after the start, then one every {@code
 *       interval} (a late measurement makes the next one due at once, not twice).
 *   <li>PASS counts as passed; FAIL as failed; MARGINAL and INCONCLUSIVE as inconclusive; ERROR as
 *       an error. Every other verdict ends a streak of errors.
 *   <li>The run FAILED when failed measurements exceed {@code failureLimit} (default 0: the first
 *       failure); ERROR when errors in a row exceed {@code consecutiveErrorLimit}; INCONCLUSIVE
 *       when inconclusive measurements exceed {@code inconclusiveLimit} (no limit by default).
 *   <li>With a {@code count}, the run ends after that many measurements: SUCCESSFUL when at least
 *       one passed, else INCONCLUSIVE (a canary nobody used has not passed anything). Without one,
 *       it runs until {@link #stop stopped}.
 * </ul>
 *
 * @param spec the analysis
 * @param startedAt when the run started
 * @param nextDue when the next measurement is due
 * @param measuring a measurement has begun and not been recorded
 * @param measurements measurements recorded
 * @param passed measurements that passed
 * @param failed measurements that failed
 * @param inconclusive measurements that were inconclusive or marginal
 * @param errors measurements that were errors
 * @param consecutiveErrors errors since the last measurement that was not one
 * @param status RUNNING until the run is over
 * @param reason why the status, for people; empty while running without a notable event
 * @param last the last result recorded, or null
 */
public record AnalysisRun(
    AnalysisSpec spec,
    Instant startedAt,
    Instant nextDue,
    boolean measuring,
    int measurements,
    int passed,
    int failed,
    int inconclusive,
    int errors,
    int consecutiveErrors,
    Status status,
    String reason,
    @Nullable AnalysisResult last) {

  /** Where a run is. */
  public enum Status {
    RUNNING,
    SUCCESSFUL,
    FAILED,
    INCONCLUSIVE,
    ERROR;

    /** True for every status but RUNNING. */
    public boolean done() {
      return this != RUNNING;
    }
  }

  public AnalysisRun {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
  }

  /** A run that starts now; its first measurement is due after the initial delay. */
  public static AnalysisRun start(AnalysisSpec spec, Instant now) {
    return new AnalysisRun(
        spec,
        now,
        now.plus(spec.initialDelay()),
        false,
        0,
        0,
        0,
        0,
        0,
        0,
        Status.RUNNING,
        "",
        null);
  }

  /** True when the run is going, no measurement is under way, and the next one is due. */
  public boolean due(Instant now) {
    return status == Status.RUNNING && !measuring && !now.isBefore(nextDue);
  }

  /** Marks a measurement as under way, so {@link #due} stays false until it is recorded. */
  public AnalysisRun begin(Instant now) {
    if (status.done()) {
      return this;
    }
    return new AnalysisRun(
        spec,
        startedAt,
        nextDue,
        true,
        measurements,
        passed,
        failed,
        inconclusive,
        errors,
        consecutiveErrors,
        status,
        reason,
        last);
  }

  /**
   * Folds a measurement's result into the run. A result that arrives after the run is over (a
   * measurement that was under way when it stopped) changes nothing.
   */
  public AnalysisRun record(AnalysisResult result, Instant now) {
    if (status.done()) {
      return this;
    }
    int p = passed;
    int f = failed;
    int i = inconclusive;
    int e = errors;
    int streak = 0;
    switch (result.verdict()) {
      case PASS -> p++;
      case FAIL -> f++;
      case MARGINAL, INCONCLUSIVE -> i++;
      case ERROR -> {
        e++;
        streak = consecutiveErrors + 1;
      }
    }
    int n = measurements + 1;
    Status s = Status.RUNNING;
    String why = "";
    Integer count = spec.count();
    Integer inconclusiveLimit = spec.inconclusiveLimit();
    if (f > spec.failureLimit()) {
      s = Status.FAILED;
      why =
          times(f, "failed measurement")
              + ", more than failureLimit "
              + spec.failureLimit()
              + "; last: "
              + result.describe();
    } else if (streak > spec.consecutiveErrorLimit()) {
      s = Status.ERROR;
      why =
          streak
              + " errors in a row, more than consecutiveErrorLimit "
              + spec.consecutiveErrorLimit()
              + "; last: "
              + result.describe();
    } else if (inconclusiveLimit != null && i > inconclusiveLimit) {
      s = Status.INCONCLUSIVE;
      why =
          times(i, "inconclusive measurement")
              + ", more than inconclusiveLimit "
              + inconclusiveLimit
              + "; last: "
              + result.describe();
    } else if (count != null && n >= count) {
      s = p > 0 ? Status.SUCCESSFUL : Status.INCONCLUSIVE;
      why =
          (p > 0 ? "" : "no measurement passed: ")
              + tally(n, p, f, i, e)
              + (p > 0 ? "" : "; last: " + result.describe());
    }
    Instant next = nextDue.plus(spec.interval());
    if (next.isBefore(now)) {
      next = now;
    }
    return new AnalysisRun(spec, startedAt, next, false, n, p, f, i, e, streak, s, why, result);
  }

  /**
   * Ends a running run because the strategy no longer needs it (the release moved on): SUCCESSFUL,
   * as in Argo Rollouts, since nothing exceeded a limit.
   */
  public AnalysisRun stop(Instant now) {
    if (status.done()) {
      return this;
    }
    return new AnalysisRun(
        spec,
        startedAt,
        nextDue,
        false,
        measurements,
        passed,
        failed,
        inconclusive,
        errors,
        consecutiveErrors,
        Status.SUCCESSFUL,
        "stopped after " + tally(measurements, passed, failed, inconclusive, errors),
        last);
  }

  private static String tally(int n, int p, int f, int i, int e) {
    return times(n, "measurement")
        + " ("
        + p
        + " passed, "
        + f
        + " failed, "
        + i
        + " inconclusive, "
        + e
        + (e == 1 ? " error)" : " errors)");
  }

  private static String times(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }
}
