package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.BuiltinMetric;
import dev.sluice.core.analysis.MannWhitneyJudge;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.spec.Durations;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagConfig;
import dev.sluice.flags.FlagState;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.server.flags.FlagEditException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guarded rollouts of flags evaluated at the edge: the weight of one variant is raised step by step
 * (each step an audited change of the flag set), and during each step the requests that got the
 * variant are compared with those that got the other variants by the canary analysis (the
 * Mann-Whitney judge on 5xx outcomes and latencies, from the router's per-variant windows). A step
 * ends once its time is up and a measurement has passed; a failed measurement puts the flag back as
 * it was before the rollout (a new audited change). LaunchDarkly calls this a guarded rollout; here
 * the app needs no SDK, as the router picks the variant and measures it.
 *
 * <p>Rollouts live in memory, run on one thread of their own and are not resumed after a restart: a
 * daemon that stops during a rollout leaves the flag at the weights of the last step reached.
 * Someone else changing the flag during a rollout cancels it and leaves the flag as they left it.
 */
public final class FlagRollouts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FlagRollouts.class);

  /** How often running rollouts are looked at. */
  private static final Duration TICK = Duration.ofMillis(200);

  /** A step with no passing measurement after this many step durations fails the rollout. */
  private static final int PATIENCE = 3;

  /** Where a rollout is. */
  public enum State {
    RUNNING,
    COMPLETED,
    REVERTED,
    CANCELLED
  }

  /**
   * What to roll out.
   *
   * @param key the flag
   * @param app the app whose requests are measured; null for the one app evaluating the flag
   * @param variant the variant whose weight grows
   * @param control the variant that gives up the weight; null for the flag's default variant (or,
   *     when that is {@code variant}, the flag's other variant if it has exactly two)
   * @param steps weights of {@code variant} in percent, increasing, 1..100
   * @param stepDuration how long each step lasts at least
   * @param metrics builtin metrics compared: {@code error_rate}, {@code latency_p50..p99}
   * @param analysisInterval time between measurements, also the window each looks at
   * @param minRequests requests the variant must have had in a window for it to count
   * @param failureLimit failed measurements tolerated per step
   */
  public record Plan(
      String key,
      @Nullable String app,
      String variant,
      @Nullable String control,
      List<Integer> steps,
      Duration stepDuration,
      List<String> metrics,
      Duration analysisInterval,
      long minRequests,
      int failureLimit) {
    public Plan {
      steps = List.copyOf(steps);
      metrics = List.copyOf(metrics);
    }
  }

  /**
   * A rollout as it stands.
   *
   * @param step index into {@code steps} of the step reached
   * @param events what happened, oldest first
   * @param lastAnalysis the last measurement, described; null before the first
   */
  public record Status(
      String key,
      String app,
      String variant,
      String control,
      List<Integer> steps,
      int step,
      State state,
      String reason,
      String actor,
      Instant startedAt,
      @Nullable Instant endedAt,
      List<String> events,
      @Nullable String lastAnalysis) {}

  private final FlagService flags;
  private final Analyzer analyzer;
  private final EdgeFlagBindings edge;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Map<String, Run> runs = new ConcurrentHashMap<>();

  public FlagRollouts(FlagService flags, Analyzer analyzer, EdgeFlagBindings edge, Clock clock) {
    this.flags = flags;
    this.analyzer = analyzer;
    this.edge = edge;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sluice-flag-rollouts");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Checks the plan, sets the first step and starts watching.
   *
   * @throws FlagEditException when the plan does not fit the flag (nothing changed then)
   */
  public Status start(Plan plan, String actor) {
    return onThread(() -> begin(plan, actor));
  }

  /** The rollout of a flag, running or ended; empty when it had none since the daemon started. */
  public Optional<Status> status(String key) {
    Run r = runs.get(key);
    return r == null ? Optional.empty() : Optional.of(onThread(r::status));
  }

  /**
   * Stops a running rollout and puts the flag back as it was before it.
   *
   * @throws FlagEditException when the flag has no running rollout
   */
  public Status abort(String key, String actor) {
    return onThread(
        () -> {
          Run r = runs.get(key);
          if (r == null || r.state != State.RUNNING) {
            throw new FlagEditException(
                Kind.CONFLICT, "flag " + key + " has no running rollout (expected: one to abort)");
          }
          revert(r, "aborted by " + actor);
          return r.status();
        });
  }

  private interface Task<T> {
    T run();
  }

  private <T> T onThread(Task<T> task) {
    try {
      return thread.submit(task::run).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  // ---- on the rollout thread -------------------------------------------------------------

  /** One rollout; touched on the rollout thread only. */
  private final class Run {
    final Plan plan;
    final String app;
    final String control;
    final String actor;
    final JsonNode before;
    final AnalysisSpec spec;
    final Instant startedAt;
    final List<String> events = new ArrayList<>();
    int step;
    Instant stepStarted;
    AnalysisRun analysis;
    boolean measuring;
    @Nullable JsonNode written;
    State state = State.RUNNING;
    String reason = "";
    @Nullable Instant endedAt;
    @Nullable String lastAnalysis;

    Run(Plan plan, String app, String control, String actor, JsonNode before, AnalysisSpec spec) {
      this.plan = plan;
      this.app = app;
      this.control = control;
      this.actor = actor;
      this.before = before;
      this.spec = spec;
      this.startedAt = clock.instant();
      this.stepStarted = startedAt;
      this.analysis = AnalysisRun.start(spec, startedAt);
    }

    void event(String text) {
      events.add(clock.instant() + "  " + text);
      if (events.size() > 200) {
        events.remove(0);
      }
    }

    Status status() {
      return new Status(
          plan.key(),
          app,
          plan.variant(),
          control,
          plan.steps(),
          step,
          state,
          reason,
          actor,
          startedAt,
          endedAt,
          List.copyOf(events),
          lastAnalysis);
    }
  }

  private Status begin(Plan plan, String actor) {
    String key = plan.key();
    Run running = runs.get(key);
    if (running != null && running.state == State.RUNNING) {
      throw new FlagEditException(
          Kind.CONFLICT,
          "flag " + key + " already has a running rollout (expected: abort it first)");
    }
    Flag flag =
        flags
            .current()
            .flags()
            .flag(key)
            .orElseThrow(() -> new FlagEditException(Kind.NOT_FOUND, "no flag " + key));
    FlagConfig config = flag.config();
    if (config.state() != FlagState.ENABLED) {
      throw new FlagEditException(
          Kind.CONFLICT, "flag " + key + " is disabled (expected: an enabled flag to roll out)");
    }
    List<String> variants = flag.variantNames();
    if (!variants.contains(plan.variant())) {
      throw invalid("variant", plan.variant(), "one of the flag's variants " + variants);
    }
    String control = control(plan, flag);
    String app = app(plan);
    checkSteps(plan.steps());
    if (plan.stepDuration().compareTo(Duration.ofSeconds(1)) < 0
        || plan.stepDuration().compareTo(Duration.ofHours(24)) > 0) {
      throw invalid("interval", Durations.format(plan.stepDuration()), "1s..24h");
    }
    if (plan.analysisInterval().compareTo(Duration.ofSeconds(1)) < 0
        || plan.analysisInterval().compareTo(AnalysisSpec.MAX_WINDOW) > 0) {
      throw invalid("analysisInterval", Durations.format(plan.analysisInterval()), "1s..10m");
    }
    if (plan.minRequests() < 1) {
      throw invalid("minRequests", Long.toString(plan.minRequests()), "1 or more");
    }
    if (plan.failureLimit() < 0) {
      throw invalid("failureLimit", Integer.toString(plan.failureLimit()), "0 or more");
    }
    AnalysisSpec spec = analysis(plan);
    Run r = new Run(plan, app, control, actor, flag.toJson(), spec);
    r.event(
        "rollout of "
            + key
            + " by "
            + actor
            + ": "
            + plan.variant()
            + " against "
            + control
            + " in app "
            + app
            + ", steps "
            + plan.steps()
            + " every "
            + Durations.format(plan.stepDuration()));
    setStep(r, 0); // throws before anything is stored when the weights cannot be set
    runs.put(key, r);
    return r.status();
  }

  private String control(Plan plan, Flag flag) {
    List<String> variants = flag.variantNames();
    String control = plan.control();
    if (control == null) {
      String def = flag.config().defaultVariant().orElse(null);
      if (def != null && !def.equals(plan.variant())) {
        control = def;
      } else if (variants.size() == 2) {
        control = variants.get(0).equals(plan.variant()) ? variants.get(1) : variants.get(0);
      } else {
        throw invalid(
            "control",
            "none",
            "the variant that gives up traffic, one of " + variants + " other than the rollout's");
      }
    }
    if (!variants.contains(control) || control.equals(plan.variant())) {
      throw invalid(
          "control", control, "one of the flag's variants " + variants + " other than variant");
    }
    return control;
  }

  private String app(Plan plan) {
    List<String> apps = edge.appsEvaluating(plan.key());
    if (plan.app() != null) {
      if (!apps.contains(plan.app())) {
        throw invalid(
            "app",
            plan.app(),
            "an app whose edgeFlags.keys lists "
                + plan.key()
                + (apps.isEmpty() ? "" : ": " + apps));
      }
      return plan.app();
    }
    if (apps.isEmpty()) {
      throw new FlagEditException(
          Kind.CONFLICT,
          "no app evaluates flag "
              + plan.key()
              + " at the edge (expected: an app with edgeFlags.keys listing it in the spec), so"
              + " its variants cannot be measured");
    }
    if (apps.size() > 1) {
      throw invalid("app", "none", "one of " + apps + ": several apps evaluate " + plan.key());
    }
    return apps.get(0);
  }

  private static void checkSteps(List<Integer> steps) {
    if (steps.isEmpty()) {
      throw invalid("steps", "[]", "weights in percent, increasing, e.g. 5,25,50,100");
    }
    int last = 0;
    for (int w : steps) {
      if (w < 1 || w > 100 || w <= last) {
        throw invalid(
            "steps", steps.toString(), "weights 1..100 in percent, each above the one before");
      }
      last = w;
    }
  }

  private static AnalysisSpec analysis(Plan plan) {
    if (plan.metrics().isEmpty()) {
      throw invalid("analysis", "[]", "some of error_rate, latency_p50, latency_p90, ...");
    }
    List<MetricSpec> metrics = new ArrayList<>();
    for (String name : plan.metrics()) {
      BuiltinMetric m = BuiltinMetric.bySpecName(name);
      if (m == null || !m.hasSamples()) {
        throw invalid(
            "analysis",
            name,
            "error_rate, latency_p50, latency_p90, latency_p95 or latency_p99 (compared per"
                + " request with the other variants)");
      }
      if (metrics.stream().anyMatch(x -> x.name().equals(name))) {
        throw invalid("analysis", name, "each metric once");
      }
      // Critical: a variant that is worse on any one metric fails the measurement.
      metrics.add(
          MetricSpec.of(name, new MetricSpec.Builtin(m), MetricSpec.Conditions.NONE)
              .withCritical(true));
    }
    return new AnalysisSpec(
        plan.analysisInterval(),
        null,
        Duration.ZERO,
        plan.analysisInterval(),
        plan.failureLimit(),
        AnalysisSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT,
        null,
        plan.minRequests(),
        MannWhitneyJudge.DEFAULT_CONFIDENCE,
        AnalysisSpec.DEFAULT_PASS_SCORE,
        AnalysisSpec.DEFAULT_MARGINAL_SCORE,
        metrics);
  }

  private static FlagEditException invalid(String field, String value, String expected) {
    return new FlagEditException(
        Kind.INVALID, field + ": " + value + " (expected: " + expected + ")");
  }

  private void setStep(Run r, int step) {
    int w = r.plan.steps().get(step);
    SequencedMap<String, Integer> weights = new LinkedHashMap<>();
    weights.put(r.plan.variant(), w);
    weights.put(r.control, 100 - w);
    String detail =
        "rollout step "
            + (step + 1)
            + "/"
            + r.plan.steps().size()
            + ": "
            + r.plan.key()
            + " "
            + r.plan.variant()
            + " "
            + w
            + ", "
            + r.control
            + " "
            + (100 - w);
    FlagCommit c = flags.rolloutStep(r.plan.key(), weights, r.actor + " (rollout)", detail);
    r.step = step;
    r.stepStarted = clock.instant();
    r.analysis = AnalysisRun.start(r.spec, r.stepStarted);
    r.written = currentDefinition(r.plan.key());
    r.event(detail + " (flag set version " + c.version().version() + ")");
    if (w == 100) {
      // Nothing is left to compare with: the rollout is done.
      end(r, State.COMPLETED, r.plan.variant() + " serves 100%");
    }
  }

  private @Nullable JsonNode currentDefinition(String key) {
    return flags.current().flags().flag(key).map(Flag::toJson).orElse(null);
  }

  private void tick() {
    try {
      for (Run r : runs.values()) {
        if (r.state == State.RUNNING) {
          advance(r);
        }
      }
    } catch (RuntimeException e) {
      log.warn("flag rollouts: {}", e.toString(), e);
    }
  }

  private void advance(Run r) {
    Instant now = clock.instant();
    JsonNode current = currentDefinition(r.plan.key());
    if (!java.util.Objects.equals(current, r.written)) {
      end(
          r,
          State.CANCELLED,
          "the flag was changed by someone else during the rollout (flag set version "
              + flags.current().version()
              + "); it stays as they left it");
      return;
    }
    if (r.measuring) {
      return;
    }
    Duration inStep = Duration.between(r.stepStarted, now);
    if (inStep.compareTo(r.plan.stepDuration()) >= 0 && r.analysis.passed() > 0) {
      if (r.step + 1 < r.plan.steps().size()) {
        try {
          setStep(r, r.step + 1);
        } catch (RuntimeException e) {
          end(r, State.CANCELLED, "the next step could not be set: " + e.getMessage());
        }
      } else {
        end(r, State.COMPLETED, "every step passed its analysis");
      }
      return;
    }
    if (inStep.compareTo(r.plan.stepDuration().multipliedBy(PATIENCE)) >= 0) {
      revert(
          r,
          "no measurement passed in "
              + Durations.format(inStep)
              + " at step "
              + (r.step + 1)
              + " (too few requests for "
              + r.plan.variant()
              + " or the other variants?)");
      return;
    }
    if (r.analysis.due(now)) {
      r.analysis = r.analysis.begin(now);
      r.measuring = true;
      analyzer
          .analyzeFlag(r.spec, r.app, r.plan.key(), r.plan.variant(), r.spec.window())
          .whenComplete(
              (result, e) ->
                  thread.execute(
                      () ->
                          measured(
                              r,
                              result != null
                                  ? result
                                  : new AnalysisResult(
                                      AnalysisResult.Verdict.ERROR,
                                      null,
                                      String.valueOf(e),
                                      0,
                                      0,
                                      List.of()))));
    }
  }

  private void measured(Run r, AnalysisResult result) {
    r.measuring = false;
    if (r.state != State.RUNNING) {
      return;
    }
    r.analysis = r.analysis.record(result, clock.instant());
    r.lastAnalysis = result.describe();
    r.event("step " + (r.step + 1) + " analysis: " + result.describe());
    AnalysisRun.Status s = r.analysis.status();
    if (s == AnalysisRun.Status.FAILED || s == AnalysisRun.Status.ERROR) {
      revert(
          r, "analysis " + s.name().toLowerCase(java.util.Locale.ROOT) + ": " + result.describe());
    }
  }

  private void revert(Run r, String why) {
    try {
      FlagCommit c =
          flags.rolloutRevert(
              r.plan.key(),
              r.before,
              r.actor + " (rollout)",
              "rollout of " + r.plan.key() + " reverted: " + why);
      end(
          r,
          State.REVERTED,
          why
              + "; the flag is back as before the rollout (flag set version "
              + c.version().version()
              + ")");
    } catch (RuntimeException e) {
      end(r, State.CANCELLED, why + "; reverting the flag failed: " + e.getMessage());
    }
  }

  private void end(Run r, State state, String reason) {
    r.state = state;
    r.reason = reason;
    r.endedAt = clock.instant();
    r.event(state.name().toLowerCase(java.util.Locale.ROOT) + ": " + reason);
    log.info("rollout of flag {} {}: {}", r.plan.key(), state, reason);
  }

  /** Stops watching; running rollouts stay where they are (see the class comment). */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
