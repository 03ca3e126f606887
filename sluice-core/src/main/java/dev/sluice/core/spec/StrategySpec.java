package dev.sluice.core.spec;

import dev.sluice.core.analysis.AnalysisSpec;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** How a new version of an app replaces the stable one. */
public sealed interface StrategySpec {

  /** The name used in status output and events, e.g. {@code blueGreen}. */
  String kind();

  /** How long the version traffic moved away from keeps running, so a rollback is instant. */
  Duration scaleDownDelay();

  /**
   * Blue-green: start the new version at full size beside the old, check it, switch all traffic in
   * one step, keep the old version warm for {@code scaleDownDelay} so a rollback is one switch
   * back.
   *
   * @param autoPromote switch as soon as the new version is healthy and its checks pass; when
   *     false, wait for {@code sluice promote}
   * @param scaleDownDelay how long the old version keeps running after the switch
   * @param previewListen an address that routes only to the new version before the switch; null for
   *     none
   */
  record BlueGreen(boolean autoPromote, Duration scaleDownDelay, @Nullable HostPort previewListen)
      implements StrategySpec {

    /** The defaults: promote automatically, keep the old version 30s, no preview. */
    public static BlueGreen defaults() {
      return new BlueGreen(true, Duration.ofSeconds(30), null);
    }

    @Override
    public String kind() {
      return "blueGreen";
    }
  }

  /**
   * Canary: the new version takes a growing share of traffic step by step, beside the stable
   * version, which stays at full size until promotion (so an abort is one table swap).
   *
   * @param steps what to do, in order; after the last, the canary is scaled to full size and takes
   *     all traffic
   * @param canaryReplicas a fixed replica count for the canary; null to scale it with its weight
   *     (at least 1)
   * @param scaleDownDelay how long the old stable version keeps running after promotion
   * @param rollbackWindow a rollback to one of this many latest revisions skips the steps and
   *     switches at once; 0 for never
   * @param analysis the background analysis, from the first non-zero weight until promotion; null
   *     for none
   */
  record Canary(
      List<CanaryStep> steps,
      @Nullable Integer canaryReplicas,
      Duration scaleDownDelay,
      int rollbackWindow,
      @Nullable AnalysisSpec analysis)
      implements StrategySpec {
    public Canary {
      steps = List.copyOf(steps);
    }

    @Override
    public String kind() {
      return "canary";
    }
  }

  /** One step of a canary. */
  sealed interface CanaryStep {
    /** A one-line description for events and status: {@code setWeight 25}. */
    String describe();

    /** Sends {@code weight} percent of traffic to the canary once its replicas are healthy. */
    record SetWeight(int weight) implements CanaryStep {
      @Override
      public String describe() {
        return "setWeight " + weight;
      }
    }

    /** Waits {@code duration}, or until {@code sluice promote} when it is null. */
    record Pause(@Nullable Duration duration) implements CanaryStep {
      @Override
      public String describe() {
        return duration == null ? "pause until promoted" : "pause " + Durations.format(duration);
      }
    }

    /**
     * Runs an analysis and waits for its verdict: success goes on, failure rolls back, inconclusive
     * pauses for a person.
     */
    record Analysis(AnalysisSpec spec) implements CanaryStep {
      @Override
      public String describe() {
        return "analysis";
      }
    }

    /**
     * Waits until {@code url} answers 200 (Flagger's confirm-promotion gate), asking every {@code
     * interval}; after {@code timeout} the release is rolled back.
     */
    record Gate(String url, Duration interval, Duration timeout) implements CanaryStep {
      @Override
      public String describe() {
        return "gate " + Redacted.url(url); // shown in events and status: no keys
      }
    }
  }

  /**
   * Rolling: replicas of the stable version are replaced by the new one a batch at a time, with
   * Kubernetes' semantics; traffic is spread over the healthy replicas of both in proportion.
   *
   * @param maxSurge how many replicas above the desired count may run: an absolute number, or a
   *     percent of the count rounded up (default 25%)
   * @param maxUnavailable how many below the count may be unavailable: an absolute number, or a
   *     percent rounded down (default 25%)
   * @param analysis run after each batch, before the next (it needs a {@code count} to end); a
   *     failure restores the old replicas; null for none
   */
  record Rolling(String maxSurge, String maxUnavailable, @Nullable AnalysisSpec analysis)
      implements StrategySpec {
    @Override
    public String kind() {
      return "rolling";
    }

    @Override
    public Duration scaleDownDelay() {
      return Duration.ZERO;
    }

    /** {@code maxSurge} for {@code replicas} replicas. */
    public int surge(int replicas) {
      return resolve(maxSurge, replicas, true);
    }

    /** {@code maxUnavailable} for {@code replicas} replicas. */
    public int unavailable(int replicas) {
      return resolve(maxUnavailable, replicas, false);
    }

    /** An absolute count or a percent of {@code replicas}, rounded up or down. */
    static int resolve(String value, int replicas, boolean roundUp) {
      if (value.endsWith("%")) {
        int pct = Integer.parseInt(value.substring(0, value.length() - 1));
        int scaled = pct * replicas;
        return roundUp ? (scaled + 99) / 100 : scaled / 100;
      }
      return Integer.parseInt(value);
    }
  }

  /**
   * An A/B experiment: users are split between two or more versions (arms) by weight, sticky per
   * user, for {@code duration}; each challenger arm is compared with the first arm (the baseline)
   * on the analysis metrics with the Mann-Whitney judge. It ends with {@code sluice promote APP
   * --version V}, or by itself when {@code autoPromoteWinner} and one arm is significantly better.
   *
   * @param arms the versions and their weights; the first is the baseline
   * @param sticky how users are kept on their arm; null to use the app's routing.sticky
   * @param duration how long the experiment runs before it is decided
   * @param analysis the metrics compared between arms, and how often
   * @param autoPromoteWinner promote the winner at the end when the result is significant
   */
  record Experiment(
      List<Arm> arms,
      RoutingSpec.@Nullable Sticky sticky,
      Duration duration,
      AnalysisSpec analysis,
      boolean autoPromoteWinner,
      Duration scaleDownDelay)
      implements StrategySpec {
    public Experiment {
      arms = List.copyOf(arms);
    }

    @Override
    public String kind() {
      return "experiment";
    }

    /** The arm of {@code version}, or null. */
    public @Nullable Arm arm(String version) {
      return arms.stream().filter(a -> a.version().equals(version)).findFirst().orElse(null);
    }

    /** One arm: a version and its share of users. */
    public record Arm(String version, int weight) {}
  }

  /**
   * Shadow traffic: the new version gets a copy of (a share of) the requests and its answers are
   * thrown away, so users never see it; with {@code compare}, each shadow answer is compared with
   * the stable version's and the router counts a {@code diff_rate}. When the analysis passes (for
   * example {@code builtin: diff_rate, max: 0.01}), a promotion continues as the {@code then}
   * strategy with the same version: the shadow release becomes a canary (or a blue-green switch).
   *
   * @param percent the share of requests copied, 1..100
   * @param timeout a copy's own time limit; it never delays the user's answer
   * @param maxBodyBytes requests with larger bodies are not copied
   * @param mirrorUnsafe copy POST, PUT, PATCH and DELETE too (only when the shadow writes nowhere
   *     real)
   * @param compare what to compare, or null to only mirror
   * @param analysis the analysis that decides whether the shadow may go on; null for none
   * @param autoPromote go on by itself when the analysis succeeds; else wait for {@code sluice
   *     promote}
   * @param then the strategy a promotion continues with
   * @param thenSnapshot that strategy as JSON, for the next release's spec snapshot
   */
  record Shadow(
      int percent,
      Duration timeout,
      int maxBodyBytes,
      boolean mirrorUnsafe,
      @Nullable Compare compare,
      @Nullable AnalysisSpec analysis,
      boolean autoPromote,
      StrategySpec then,
      String thenSnapshot)
      implements StrategySpec {

    @Override
    public String kind() {
      return "shadow";
    }

    @Override
    public Duration scaleDownDelay() {
      return then.scaleDownDelay();
    }

    /**
     * What of a shadow answer must equal the stable answer.
     *
     * @param status the status code
     * @param headers these headers (case-insensitive names)
     * @param body {@code none}, {@code exact} (byte for byte) or {@code json} (as JSON values,
     *     ignoring object key order and the {@code ignore} pointers)
     * @param ignore JSON pointers left out of a json comparison, e.g. {@code /timestamp}
     */
    public record Compare(boolean status, List<String> headers, String body, List<String> ignore) {
      public Compare {
        headers = List.copyOf(headers);
        ignore = List.copyOf(ignore);
      }
    }
  }
}
