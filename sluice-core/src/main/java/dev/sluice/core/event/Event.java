package dev.sluice.core.event;

import dev.sluice.core.analysis.AnalysisResult;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A decision about one app, as written to its event log. Replaying an app's events in order gives
 * its state ({@link dev.sluice.core.release.AppState#apply}); nothing the controller decides lives
 * only in memory.
 *
 * <p>Each event names its {@link #type() type} in the log and in {@code sluice history}.
 */
public sealed interface Event {

  /** The type name shown in history and stored in the log, e.g. {@code ReleaseStarted}. */
  default String type() {
    return getClass().getSimpleName();
  }

  /** A one-line description for people. */
  String describe();

  /**
   * A release of {@code version} began.
   *
   * @param revision the release's number, 1, 2, 3... per app
   * @param strategy the strategy's kind, e.g. {@code blueGreen}
   * @param from the stable version at the start; null for an app's first release
   * @param trigger {@code deploy}, or {@code rollback} when a past revision is started again
   * @param spec the app's spec snapshot (JSON) the release runs with
   * @param skipSteps go straight to promotion (a rollback within the rollback window)
   */
  record ReleaseStarted(
      int revision,
      String version,
      String strategy,
      @Nullable String from,
      String trigger,
      String spec,
      boolean skipSteps)
      implements Event {
    @Override
    public String describe() {
      return "release "
          + revision
          + " of "
          + version
          + " started ("
          + strategy
          + ", "
          + trigger
          + (from == null ? ", first release)" : ", from " + from + ")");
    }
  }

  /**
   * {@code version} should run {@code replicas} replicas, started from {@code revision}'s spec; 0
   * stops it once its requests have drained.
   */
  record ReplicasSet(String version, int revision, int replicas) implements Event {
    @Override
    public String describe() {
      return replicas == 0
          ? version + " stops after draining"
          : version + " runs " + replicas + (replicas == 1 ? " replica" : " replicas");
    }
  }

  /** A canary reached step {@code index} (0-based; {@code step} describes it). */
  record StepReached(int index, String step) implements Event {
    @Override
    public String describe() {
      return "step " + (index + 1) + ": " + step;
    }
  }

  /**
   * Measurement {@code n} of analysis run {@code run} of the current release ({@code background},
   * {@code step-N}, {@code batch}).
   */
  record AnalysisMeasured(String run, int n, AnalysisResult result) implements Event {
    @Override
    public String describe() {
      return "analysis " + run + " #" + n + ": " + result.describe();
    }
  }

  /** Every replica of {@code version} passed its health check. */
  record VersionReady(String version, int replicas) implements Event {
    @Override
    public String describe() {
      return version
          + ": all "
          + replicas
          + (replicas == 1 ? " replica" : " replicas")
          + " healthy";
    }
  }

  /** The hooks of one phase finished; {@code detail} says what ran and, on failure, why. */
  record HooksFinished(String phase, boolean passed, String detail) implements Event {
    @Override
    public String describe() {
      return phase + " hooks " + (passed ? "passed" : "failed") + ": " + detail;
    }
  }

  /** The release waits for {@code sluice promote}. */
  record Paused(String reason) implements Event {
    @Override
    public String describe() {
      return "paused: " + reason;
    }
  }

  /** Someone asked the release to go on ({@code full}: skip the remaining steps). */
  record PromoteRequested(boolean full, String by, @Nullable String version) implements Event {
    public PromoteRequested(boolean full, String by) {
      this(full, by, null);
    }

    @Override
    public String describe() {
      return (full ? "full promotion" : "promotion")
          + (version == null ? "" : " of " + version)
          + " requested by "
          + by;
    }
  }

  /**
   * A shadow release whose responses agreed goes on as release {@code next} of the same version,
   * with the shadow's {@code then} strategy.
   */
  record ReleaseContinued(int next, String strategy) implements Event {
    @Override
    public String describe() {
      return "continued as release " + next + " (" + strategy + ")";
    }
  }

  /** The router's weights for the app, version to percent; written before the table swap. */
  record TrafficSet(Map<String, Integer> weights) implements Event {
    public TrafficSet {
      weights = Map.copyOf(weights);
    }

    @Override
    public String describe() {
      return "traffic " + Weights.format(weights);
    }
  }

  /** The release's version is now the stable version; the release is complete. */
  record ReleaseSucceeded(String version) implements Event {
    @Override
    public String describe() {
      return version + " is stable";
    }
  }

  /** The release failed before its version took traffic; users saw no change. */
  record ReleaseFailed(String reason) implements Event {
    @Override
    public String describe() {
      return "release failed: " + reason;
    }
  }

  /** Traffic went back to {@code to}, which is the stable version again. */
  record RolledBack(String to, String reason) implements Event {
    @Override
    public String describe() {
      return "rolled back to " + to + ": " + reason;
    }
  }

  /** The release was stopped by a person; traffic is with the stable version. */
  record ReleaseAborted(String reason) implements Event {
    @Override
    public String describe() {
      return "release aborted: " + reason;
    }
  }
}
