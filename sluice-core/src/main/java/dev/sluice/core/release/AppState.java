package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.AnalysisMeasured;
import dev.sluice.core.event.Event.HooksFinished;
import dev.sluice.core.event.Event.Paused;
import dev.sluice.core.event.Event.PromoteRequested;
import dev.sluice.core.event.Event.ReleaseAborted;
import dev.sluice.core.event.Event.ReleaseContinued;
import dev.sluice.core.event.Event.ReleaseFailed;
import dev.sluice.core.event.Event.ReleaseStarted;
import dev.sluice.core.event.Event.ReleaseSucceeded;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.RolledBack;
import dev.sluice.core.event.Event.StepReached;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.event.Event.VersionReady;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.StrategySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Everything the controller knows about one app, folded from the app's event log: the stable
 * version, the versions that should run, the traffic weights and the current (or last) release.
 *
 * <p>{@link #apply} is pure: the same events give the same state, which is how a restarted Sluice
 * lands where it was.
 *
 * @param seq the sequence number of the last event applied; 0 for a new app
 * @param lastRevision the number of the newest release; 0 before the first
 * @param stable the revision serving users; null before the first release succeeds
 * @param versions versions that should run, by name
 * @param weights the router's traffic weights, version to percent
 * @param release the release in progress, or the last one
 * @param history revisions that went live, newest first (for rollbacks)
 */
public record AppState(
    String app,
    long seq,
    int lastRevision,
    @Nullable Revision stable,
    Map<String, VersionState> versions,
    Map<String, Integer> weights,
    @Nullable Release release,
    List<Revision> history) {

  /** How many past revisions the state remembers; rollbacks reach back this far at most. */
  static final int HISTORY_CAP = 1000;

  public AppState {
    versions = Map.copyOf(versions);
    weights = Map.copyOf(weights);
    history = List.copyOf(history);
  }

  /** The state of an app that has no events yet. */
  public static AppState empty(String app) {
    return new AppState(app, 0, 0, null, Map.of(), Map.of(), null, List.of());
  }

  /** The state after replaying {@code events} in order. */
  public static AppState replay(String app, List<EventRecord> events) {
    AppState s = empty(app);
    for (EventRecord e : events) {
      s = s.apply(e);
    }
    return s;
  }

  /** The release in progress, if any. */
  public Optional<Release> active() {
    return release != null && !release.phase().isDone() ? Optional.of(release) : Optional.empty();
  }

  /** The version serving users, or null before the first release. */
  public @Nullable String stableVersion() {
    return stable == null ? null : stable.version();
  }

  /**
   * The records {@code events} become when appended after this state's last event at {@code at}.
   */
  public List<EventRecord> next(List<Event> events, Instant at) {
    List<EventRecord> out = new ArrayList<>(events.size());
    long n = seq;
    for (Event e : events) {
      out.add(new EventRecord(app, ++n, at, e));
    }
    return out;
  }

  /** This state after {@code events}, decided at {@code at}. */
  public AppState applyAll(List<Event> events, Instant at) {
    AppState s = this;
    for (EventRecord r : next(events, at)) {
      s = s.apply(r);
    }
    return s;
  }

  /** The newest live revision of {@code version}, if it is in the history. */
  public Optional<Revision> revisionOf(String version) {
    return history.stream().filter(r -> r.version().equals(version)).findFirst();
  }

  /**
   * The state after one more event.
   *
   * @throws IllegalArgumentException when the event is not the next one of this app's log
   */
  public AppState apply(EventRecord record) {
    if (!record.app().equals(app) || record.seq() != seq + 1) {
      throw new IllegalArgumentException(
          "event " + record.app() + "#" + record.seq() + " does not follow " + app + "#" + seq);
    }
    Instant at = record.at();
    Mutable m = new Mutable(this);
    m.seq = record.seq();
    Event e = record.event();
    Release r = release;
    switch (e) {
      case ReleaseStarted s -> {
        AppSpec spec = parse(s.spec());
        m.lastRevision = s.revision();
        ReleasePhase first =
            spec.hooks().preRollout().isEmpty() ? firstPhase(spec) : ReleasePhase.PRE_ROLLOUT;
        m.release =
            Release.started(
                s.revision(), s.version(), s.from(), s.trigger(), spec, first, s.skipSteps(), at);
        VersionState warm = m.versions.get(s.version());
        if (warm != null) {
          m.versions.put(
              s.version(), new VersionState(s.version(), warm.revision(), warm.replicas(), null));
        }
      }
      case StepReached s -> {
        if (r != null && !r.phase().isDone()) {
          Release next = r.atStep(s.index(), at);
          next =
              s.index() >= stepCount(r.spec())
                  ? next.inPhase(afterSteps(r.spec()), at, null)
                  : next.inPhase(ReleasePhase.STEPS, at, null);
          for (Map.Entry<String, AnalysisSpec> run : runsStartingAt(r, s.index()).entrySet()) {
            next = next.withRun(run.getKey(), AnalysisRun.start(run.getValue(), at));
          }
          m.release = next;
        }
      }
      case AnalysisMeasured s -> {
        if (r != null && r.runs().containsKey(s.run())) {
          m.release = r.withRun(s.run(), r.runs().get(s.run()).record(s.result(), at));
        }
      }
      case ReplicasSet s -> {
        if (s.replicas() == 0) {
          m.versions.remove(s.version());
        } else {
          VersionState old = m.versions.get(s.version());
          m.versions.put(
              s.version(),
              new VersionState(
                  s.version(), s.revision(), s.replicas(), old == null ? null : old.retireAt()));
        }
      }
      case VersionReady s -> {
        if (r != null && r.phase() == ReleasePhase.STARTING) {
          boolean checks = !r.spec().hooks().prePromotion().isEmpty();
          m.release = r.inPhase(checks ? ReleasePhase.PRE_PROMOTION : ReleasePhase.READY, at, null);
        }
      }
      case HooksFinished s -> {
        if (r != null) {
          Release withResult = r.withHookResult(s.phase(), s.passed());
          m.release = withResult;
          if (s.passed()
              && s.phase().equals("preRollout")
              && r.phase() == ReleasePhase.PRE_ROLLOUT) {
            m.release = withResult.inPhase(firstPhase(r.spec()), at, null);
          } else if (s.passed()
              && s.phase().equals("prePromotion")
              && r.phase() == ReleasePhase.PRE_PROMOTION) {
            m.release =
                withResult.inPhase(
                    r.spec().strategy() instanceof StrategySpec.BlueGreen
                        ? ReleasePhase.READY
                        : ReleasePhase.PROMOTING,
                    at,
                    null);
          }
        }
      }
      case Paused s -> {
        if (r != null) {
          m.release = r.inPhase(ReleasePhase.PAUSED, at, s.reason());
        }
      }
      case PromoteRequested s -> {
        if (r != null) {
          Release next = r.withPromoteRequested(s.full(), s.version());
          AnalysisRun bg = r.runs().get(BACKGROUND);
          if (bg != null && bg.status() == AnalysisRun.Status.INCONCLUSIVE) {
            // a person looked at the inconclusive analysis and chose to go on: judge afresh
            next = next.withRun(BACKGROUND, AnalysisRun.start(bg.spec(), at));
          }
          m.release = next;
        }
      }
      case TrafficSet s -> {
        m.weights = new LinkedHashMap<>(s.weights());
        if (r != null
            && !r.phase().isDone()
            && r.spec().strategy() instanceof StrategySpec.Canary c
            && c.analysis() != null
            && !r.runs().containsKey(BACKGROUND)
            && s.weights().getOrDefault(r.version(), 0) > 0
            && s.weights().getOrDefault(r.version(), 0) < 100) {
          m.release = r.withRun(BACKGROUND, AnalysisRun.start(c.analysis(), at));
        }
      }
      case ReleaseSucceeded s -> {
        if (r != null) {
          m.release = r.inPhase(ReleasePhase.SUCCEEDED, at, null);
          Revision live = new Revision(r.revision(), s.version(), r.spec().snapshot());
          String old = stable == null ? null : stable.version();
          m.stable = live;
          m.history.add(0, live);
          if (m.history.size() > HISTORY_CAP) {
            m.history.remove(m.history.size() - 1);
          }
          if (old != null && !old.equals(s.version())) {
            retire(m, old, at.plus(r.spec().strategy().scaleDownDelay()));
          }
        }
      }
      case ReleaseFailed s -> {
        if (r != null) {
          m.release = r.inPhase(ReleasePhase.FAILED, at, s.reason());
        }
      }
      case RolledBack s -> {
        if (r != null && (!r.phase().isDone() || r.phase() == ReleasePhase.SUCCEEDED)) {
          m.release = r.inPhase(ReleasePhase.ROLLED_BACK, at, s.reason());
        }
        if (stable == null || !stable.version().equals(s.to())) {
          revisionOf(s.to()).ifPresent(rev -> m.stable = rev);
        }
        VersionState v = m.versions.get(s.to());
        if (v != null) {
          m.versions.put(s.to(), new VersionState(v.version(), v.revision(), v.replicas(), null));
        }
      }
      case ReleaseContinued s -> {
        if (r != null) {
          m.release = r.inPhase(ReleasePhase.CONTINUED, at, "continued as release " + s.next());
        }
      }
      case ReleaseAborted s -> {
        if (r != null) {
          m.release = r.inPhase(ReleasePhase.ABORTED, at, s.reason());
        }
      }
    }
    return m.build();
  }

  /** The name of a canary's background analysis run. */
  public static final String BACKGROUND = "background";

  /**
   * The analysis runs that start when a release reaches step {@code index}, by name: {@code step-N}
   * (1-based) for a canary's analysis step, {@code batch-N} (the Nth batch) between rolling
   * batches, {@code arm-V} per challenger arm of an experiment, {@code shadow} for a shadow. Names
   * are never reused within a release, so a measurement can never be taken for another run.
   */
  static Map<String, AnalysisSpec> runsStartingAt(Release r, int index) {
    Map<String, AnalysisSpec> runs = new LinkedHashMap<>();
    switch (r.spec().strategy()) {
      case StrategySpec.Canary c -> {
        if (index < c.steps().size()
            && c.steps().get(index) instanceof StrategySpec.CanaryStep.Analysis a) {
          runs.put("step-" + (index + 1), a.spec());
        }
      }
      case StrategySpec.Rolling rolling -> {
        if (index == 0 && rolling.analysis() != null) {
          long batches = r.runs().keySet().stream().filter(k -> k.startsWith("batch-")).count();
          runs.put("batch-" + (batches + 1), rolling.analysis());
        }
      }
      case StrategySpec.Experiment e -> {
        if (index == 1) {
          e.arms().stream().skip(1).forEach(arm -> runs.put("arm-" + arm.version(), e.analysis()));
        }
      }
      case StrategySpec.Shadow sh -> {
        if (index == 1 && sh.analysis() != null) {
          runs.put("shadow", sh.analysis());
        }
      }
      case StrategySpec.BlueGreen b -> {}
    }
    return runs;
  }

  /** The phase a release starts in after its preRollout hooks. */
  private static ReleasePhase firstPhase(AppSpec spec) {
    return spec.strategy() instanceof StrategySpec.BlueGreen
        ? ReleasePhase.STARTING
        : ReleasePhase.STEPS;
  }

  /** The phase after the last step: hooks first, when there are any. */
  private static ReleasePhase afterSteps(AppSpec spec) {
    return spec.hooks().prePromotion().isEmpty()
        ? ReleasePhase.PROMOTING
        : ReleasePhase.PRE_PROMOTION;
  }

  /** How many steps a release has before promotion; a rolling release has one. */
  static int stepCount(AppSpec spec) {
    return switch (spec.strategy()) {
      case StrategySpec.Canary c -> c.steps().size();
      case StrategySpec.Rolling r -> 1;
      case StrategySpec.Experiment e -> 2;
      case StrategySpec.Shadow sh -> 2;
      case StrategySpec.BlueGreen b -> 0;
    };
  }

  private static void retire(Mutable m, String version, Instant when) {
    VersionState v = m.versions.get(version);
    if (v != null) {
      m.versions.put(version, new VersionState(version, v.revision(), v.replicas(), when));
    }
  }

  private static AppSpec parse(String snapshot) {
    try {
      return SpecParser.parseSnapshot(snapshot);
    } catch (SpecException e) {
      throw new IllegalStateException(
          "a release's spec snapshot cannot be read: " + e.getMessage(), e);
    }
  }

  /** The fields of a state while an event is applied. */
  private static final class Mutable {
    final String app;
    long seq;
    int lastRevision;
    @Nullable Revision stable;
    final Map<String, VersionState> versions;
    Map<String, Integer> weights;
    @Nullable Release release;
    final List<Revision> history;

    Mutable(AppState s) {
      app = s.app;
      seq = s.seq;
      lastRevision = s.lastRevision;
      stable = s.stable;
      versions = new LinkedHashMap<>(s.versions);
      weights = s.weights;
      release = s.release;
      history = new ArrayList<>(s.history);
    }

    AppState build() {
      return new AppState(app, seq, lastRevision, stable, versions, weights, release, history);
    }
  }
}
