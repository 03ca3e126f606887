package dev.sluice.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.spec.Durations;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagConfig;
import dev.sluice.flags.FlagState;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.server.flags.FlagEditException.Kind;
import dev.sluice.store.FlagRolloutRecord;
import dev.sluice.store.FlagStore;
import dev.sluice.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * <p>Rollouts run on one thread of their own, in the process that leads, and are kept in the store
 * ({@link FlagStore#putFlagRollout}) like a release's event log: every transition (a step about to
 * be set, a step set, a revert about to be made, an end) is written before the flag set is changed
 * for it, so a daemon killed during a rollout, or a new leader after a failover, resumes it: each
 * stored {@code RUNNING} rollout goes on at its recorded step, whose weights are set again only
 * when the flag is not there already, and whose time and analysis start over (the measurements
 * before the restart are lost with the process). A stored {@code REVERTING} rollout finishes its
 * revert. Someone else changing the flag during a rollout, or while no process ran it, cancels it
 * and leaves the flag as they left it. Processes that do not lead run nothing and answer {@link
 * #status} from the store.
 *
 * <p>It is a larger file than most on purpose: a rollout's steps, the records written ahead of them
 * and their resumption after a restart must agree, so they are read in one place. The plan's checks
 * and stored form are in {@link RolloutPlans}.
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
    /** Failed: the flag is being put back as before (ends as {@code REVERTED}). */
    REVERTING,
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
  private final FlagStore store;
  private final BooleanSupplier leads;
  private boolean resumed; // on the rollout thread: the stored rollouts were loaded

  /** Rollouts of a process that always leads (one daemon on its own store). */
  public FlagRollouts(FlagService flags, Analyzer analyzer, EdgeFlagBindings edge, Clock clock) {
    this(flags, analyzer, edge, clock, () -> true);
  }

  /**
   * Rollouts of a process that may share its store: they run while {@code leads} says this process
   * leads, resumed from the store when it starts to.
   */
  public FlagRollouts(
      FlagService flags,
      Analyzer analyzer,
      EdgeFlagBindings edge,
      Clock clock,
      BooleanSupplier leads) {
    this.flags = flags;
    this.store = flags.store();
    this.leads = leads;
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
    return onThread(
        () -> {
          resumeIfLeading();
          return begin(plan, actor);
        });
  }

  /**
   * The newest rollout of a flag, running or ended, as this process runs it or (in a process that
   * does not lead, or before it resumed) as stored; empty when the flag never had one.
   */
  public Optional<Status> status(String key) {
    return onThread(
        () -> {
          Run r = runs.get(key);
          if (r != null) {
            return Optional.of(r.status());
          }
          return store.flagRollout(key).map(rec -> new Run(rec).status());
        });
  }

  /**
   * Stops a running rollout and puts the flag back as it was before it.
   *
   * @throws FlagEditException when the flag has no running rollout
   */
  public Status abort(String key, String actor) {
    return onThread(
        () -> {
          resumeIfLeading();
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

    /**
     * A rollout as stored; its step starts over now.
     *
     * @throws IllegalArgumentException when the record cannot be read
     */
    Run(FlagRolloutRecord rec) {
      JsonNode p = RolloutPlans.json(rec.plan());
      this.plan = RolloutPlans.fromJson(rec.key(), p);
      this.app = Objects.requireNonNull(plan.app());
      this.control = Objects.requireNonNull(plan.control());
      this.actor = rec.actor();
      this.before = p.path("before");
      this.spec = RolloutPlans.analysis(plan);
      this.startedAt = rec.startedAt();
      this.stepStarted = clock.instant();
      this.analysis = AnalysisRun.start(spec, stepStarted);
      this.step = rec.step();
      this.state = State.valueOf(rec.state());
      this.reason = rec.reason();
      this.endedAt = rec.endedAt();
      this.written = rec.written() == null ? null : RolloutPlans.json(rec.written());
      RolloutPlans.json(rec.events()).forEach(n -> events.add(n.asText()));
      if (before.isMissingNode() || step < 0 || step >= plan.steps().size()) {
        throw new IllegalArgumentException("the stored plan lacks the flag's definition or step");
      }
    }

    /** What is stored: enough to resume it. */
    FlagRolloutRecord record() {
      ObjectNode p = RolloutPlans.toJson(plan, app, control);
      p.set("before", before);
      ArrayNode lines = FlagEdits.MAPPER.createArrayNode();
      events.forEach(lines::add);
      return new FlagRolloutRecord(
          plan.key(),
          state.name(),
          step,
          actor,
          reason,
          startedAt,
          endedAt,
          clock.instant(),
          RolloutPlans.text(p),
          written == null ? null : RolloutPlans.text(written),
          RolloutPlans.text(lines));
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
    if (!leads.getAsBoolean()) {
      throw new FlagEditException(
          Kind.CONFLICT, "this process does not lead, so it runs no rollouts: ask the leader");
    }
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
      throw RolloutPlans.invalid(
          "variant", plan.variant(), "one of the flag's variants " + variants);
    }
    String control = control(plan, flag);
    String app = app(plan);
    RolloutPlans.checkSteps(plan.steps());
    if (plan.stepDuration().compareTo(Duration.ofSeconds(1)) < 0
        || plan.stepDuration().compareTo(Duration.ofHours(24)) > 0) {
      throw RolloutPlans.invalid("interval", Durations.format(plan.stepDuration()), "1s..24h");
    }
    if (plan.analysisInterval().compareTo(Duration.ofSeconds(1)) < 0
        || plan.analysisInterval().compareTo(AnalysisSpec.MAX_WINDOW) > 0) {
      throw RolloutPlans.invalid(
          "analysisInterval", Durations.format(plan.analysisInterval()), "1s..10m");
    }
    if (plan.minRequests() < 1) {
      throw RolloutPlans.invalid("minRequests", Long.toString(plan.minRequests()), "1 or more");
    }
    if (plan.failureLimit() < 0) {
      throw RolloutPlans.invalid(
          "failureLimit", Integer.toString(plan.failureLimit()), "0 or more");
    }
    AnalysisSpec spec = RolloutPlans.analysis(plan);
    // Fails here, before anything is stored, when the flag's weights cannot be set.
    FlagEdits.setWeights(
        flags.current().flags(), key, RolloutPlans.weights(plan, control, 0), null);
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
    runs.put(key, r);
    try {
      setStep(r, 0);
    } catch (RuntimeException e) {
      end(r, State.CANCELLED, "the first step could not be set: " + e.getMessage());
      throw e;
    }
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
        throw RolloutPlans.invalid(
            "control",
            "none",
            "the variant that gives up traffic, one of " + variants + " other than the rollout's");
      }
    }
    if (!variants.contains(control) || control.equals(plan.variant())) {
      throw RolloutPlans.invalid(
          "control", control, "one of the flag's variants " + variants + " other than variant");
    }
    return control;
  }

  private String app(Plan plan) {
    List<String> apps = edge.appsEvaluating(plan.key());
    if (plan.app() != null) {
      if (!apps.contains(plan.app())) {
        throw RolloutPlans.invalid(
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
      throw RolloutPlans.invalid(
          "app", "none", "one of " + apps + ": several apps evaluate " + plan.key());
    }
    return apps.get(0);
  }

  /**
   * Moves to {@code step}: the step is stored first, then its weights are set, then stored again
   * with the flag as it left it.
   *
   * @throws StoreException when the step could not be stored; nothing changed then
   */
  private void setStep(Run r, int step) {
    int w = r.plan.steps().get(step);
    SequencedMap<String, Integer> weights = RolloutPlans.weights(r.plan, r.control, step);
    int from = r.step;
    r.step = step;
    try {
      persist(r);
    } catch (StoreException e) {
      r.step = from;
      throw e;
    }
    applyStep(r, weights);
  }

  /** Sets the weights of the run's step and starts the step. */
  private void applyStep(Run r, SequencedMap<String, Integer> weights) {
    int step = r.step;
    int w = r.plan.steps().get(step);
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
    r.written = currentDefinition(r.plan.key());
    r.event(detail + " (flag set version " + c.version().version() + ")");
    startStep(r);
  }

  /** Starts the time and analysis of the run's step, whose weights the flag has. */
  private void startStep(Run r) {
    r.stepStarted = clock.instant();
    r.analysis = AnalysisRun.start(r.spec, r.stepStarted);
    r.measuring = false;
    if (r.plan.steps().get(r.step) == 100) {
      // Nothing is left to compare with: the rollout is done.
      end(r, State.COMPLETED, r.plan.variant() + " serves 100%");
    } else {
      persistQuietly(r);
    }
  }

  private @Nullable JsonNode currentDefinition(String key) {
    return flags.current().flags().flag(key).map(Flag::toJson).orElse(null);
  }

  private void tick() {
    try {
      if (!resumeIfLeading()) {
        return;
      }
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
    if (!Objects.equals(current, r.written)) {
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
        } catch (StoreException e) {
          log.warn("rollout of flag {}: cannot store the next step, retrying: {}", r.plan.key(), e);
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
    if (r.state != State.RUNNING || runs.get(r.plan.key()) != r) {
      return;
    }
    r.analysis = r.analysis.record(result, clock.instant());
    r.lastAnalysis = result.describe();
    r.event("step " + (r.step + 1) + " analysis: " + result.describe());
    AnalysisRun.Status s = r.analysis.status();
    if (s == AnalysisRun.Status.FAILED || s == AnalysisRun.Status.ERROR) {
      revert(r, "analysis " + s.name().toLowerCase(Locale.ROOT) + ": " + result.describe());
    }
  }

  private void revert(Run r, String why) {
    r.state = State.REVERTING;
    r.reason = why;
    r.event("reverting: " + why);
    try {
      persist(r);
      applyRevert(r, why);
    } catch (RuntimeException e) {
      end(r, State.CANCELLED, why + "; reverting the flag failed: " + e.getMessage());
    }
  }

  /** Puts the flag back as before the rollout. */
  private void applyRevert(Run r, String why) {
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
  }

  private void end(Run r, State state, String reason) {
    r.state = state;
    r.reason = reason;
    r.endedAt = clock.instant();
    r.event(state.name().toLowerCase(Locale.ROOT) + ": " + reason);
    log.info("rollout of flag {} {}: {}", r.plan.key(), state, reason);
    persistQuietly(r);
  }

  private void persist(Run r) {
    store.putFlagRollout(r.record());
  }

  /** Stores a transition already made (the flag set changed); a failure is logged. */
  private void persistQuietly(Run r) {
    try {
      persist(r);
    } catch (StoreException e) {
      log.warn("rollout of flag {}: cannot store where it is: {}", r.plan.key(), e.getMessage());
    }
  }

  // ---- resuming ---------------------------------------------------------------------------

  /**
   * In the process that leads, loads the stored rollouts once and goes on with those that were
   * running; a process that stops leading forgets them (they are stored) and runs nothing.
   *
   * @return whether this process leads
   */
  private boolean resumeIfLeading() {
    if (!leads.getAsBoolean()) {
      if (resumed) {
        runs.clear();
        resumed = false;
      }
      return false;
    }
    if (!resumed) {
      // A new leader may not have heard of the old leader's last flag change yet.
      flags.refresh();
      List<FlagRolloutRecord> stored = store.flagRollouts(); // a failure is retried next tick
      resumed = true;
      for (FlagRolloutRecord rec : stored) {
        if (runs.containsKey(rec.key())) {
          continue;
        }
        Run r;
        try {
          r = new Run(rec);
        } catch (RuntimeException e) {
          log.error("cannot resume the stored rollout of flag {}: {}", rec.key(), e.toString());
          continue;
        }
        runs.put(rec.key(), r);
        try {
          if (r.state == State.RUNNING) {
            resumeStep(r);
          } else if (r.state == State.REVERTING) {
            resumeRevert(r);
          }
        } catch (RuntimeException e) {
          end(r, State.CANCELLED, "it could not be resumed: " + e.getMessage());
        }
      }
    }
    return true;
  }

  /**
   * Goes on at the stored step: the flag is there already (the step was set before the stop), or
   * still as the step before left it (the stop came between storing the step and setting it), or
   * someone else changed it meanwhile.
   */
  private void resumeStep(Run r) {
    String key = r.plan.key();
    JsonNode from = canonical(key, r.written != null ? r.written : r.before);
    SequencedMap<String, Integer> weights = RolloutPlans.weights(r.plan, r.control, r.step);
    JsonNode there =
        FlagEdits.setWeights(
                FlagEdits.put(flags.current().flags(), key, from).next(), key, weights, null)
            .next()
            .flag(key)
            .map(Flag::toJson)
            .orElse(null);
    JsonNode current = currentDefinition(key);
    String at = "step " + (r.step + 1) + "/" + r.plan.steps().size();
    if (Objects.equals(current, there)) {
      r.written = current;
      r.event(
          "resumed at " + at + " after a restart: the flag has its weights; the step starts over");
      log.info("rollout of flag {} resumed at {}", key, at);
      startStep(r);
    } else if (Objects.equals(current, from)) {
      r.event("resumed at " + at + " after a restart: setting its weights");
      log.info("rollout of flag {} resumed at {}: setting its weights", key, at);
      applyStep(r, weights);
    } else {
      end(
          r,
          State.CANCELLED,
          "the flag was changed by someone else while no process ran the rollout (flag set version "
              + flags.current().version()
              + "); it stays as they left it");
    }
  }

  /** Finishes a revert that was stored but maybe not made. */
  private void resumeRevert(Run r) {
    String key = r.plan.key();
    JsonNode current = currentDefinition(key);
    String why = r.reason;
    if (Objects.equals(current, canonical(key, r.before))) {
      end(r, State.REVERTED, why + "; the flag is back as before the rollout");
    } else if (r.written != null && Objects.equals(current, canonical(key, r.written))) {
      r.event("resumed after a restart: reverting");
      try {
        applyRevert(r, why);
      } catch (RuntimeException e) {
        end(r, State.CANCELLED, why + "; reverting the flag failed: " + e.getMessage());
      }
    } else {
      end(
          r,
          State.CANCELLED,
          why
              + "; the flag was changed by someone else before the revert was made; it stays as"
              + " they left it");
    }
  }

  /** A stored definition as the engine writes it, so that it compares with the current one. */
  private JsonNode canonical(String key, JsonNode definition) {
    return FlagEdits.put(flags.current().flags(), key, definition)
        .next()
        .flag(key)
        .map(Flag::toJson)
        .orElseThrow();
  }

  /** Stops watching; rollouts stay where they are, stored, for the next leader to resume. */
  @Override
  public void close() {
    thread.shutdownNow();
  }
}
