package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.HooksFinished;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.release.Observations.HookOutcome;
import dev.sluice.core.spec.StrategySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides an app's next events: the active release's strategy first, then housekeeping (stopping
 * versions nothing needs any more, recording hooks that run after a release ended).
 *
 * <p>One call gives one step; {@link #settle} repeats until nothing more is decided, which is what
 * the controller does on every tick.
 */
public final class Decider {
  private static final int MAX_STEPS = 32;
  private static final ReleaseStrategy BLUE_GREEN = new BlueGreenStrategy();
  private static final ReleaseStrategy CANARY = new CanaryStrategy();
  private static final ReleaseStrategy ROLLING = new RollingStrategy();
  private static final ReleaseStrategy EXPERIMENT = new ExperimentStrategy();
  private static final ReleaseStrategy SHADOW = new ShadowStrategy();

  private Decider() {}

  /** The next events for this app; empty when it waits. */
  public static List<Event> next(AppState state, Observations observed, Instant now) {
    Optional<Release> active = state.active();
    if (active.isPresent()) {
      Release r = active.get();
      List<Event> events = strategy(r.spec().strategy()).decide(state, r, observed, now);
      if (!events.isEmpty()) {
        return events;
      }
    }
    return housekeeping(state, observed, now);
  }

  /**
   * Applies {@link #next} until it decides nothing more, handing each batch to {@code sink} first
   * (which appends it to the log); returns the final state.
   */
  public static AppState settle(AppState state, Observations observed, Instant now, Sink sink)
      throws Exception {
    AppState s = state;
    for (int i = 0; i < MAX_STEPS; i++) {
      List<Event> events = next(s, observed, now);
      if (events.isEmpty()) {
        return s;
      }
      s = sink.append(s, events);
    }
    throw new IllegalStateException(
        "app "
            + state.app()
            + " did not settle after "
            + MAX_STEPS
            + " steps: "
            + next(s, observed, now));
  }

  /** Where {@link #settle} puts each batch: append, then return the state after it. */
  @FunctionalInterface
  public interface Sink {
    AppState append(AppState before, List<Event> events) throws Exception;
  }

  static ReleaseStrategy strategy(StrategySpec spec) {
    return switch (spec) {
      case StrategySpec.BlueGreen bg -> BLUE_GREEN;
      case StrategySpec.Canary c -> CANARY;
      case StrategySpec.Rolling r -> ROLLING;
      case StrategySpec.Experiment e -> EXPERIMENT;
      case StrategySpec.Shadow sh -> SHADOW;
    };
  }

  private static List<Event> housekeeping(AppState state, Observations observed, Instant now) {
    List<Event> out = new ArrayList<>();
    Release last = state.release();
    if (last != null && last.phase().isDone()) {
      String phase = last.dueHooks();
      if (phase != null) {
        Optional<HookOutcome> o = observed.hook(last.revision(), phase);
        o.ifPresent(h -> out.add(new HooksFinished(phase, h.passed(), h.detail())));
      }
    }
    String stable = state.stableVersion();
    String releasing = state.active().map(Release::version).orElse(null);
    java.util.Set<String> arms = new java.util.HashSet<>();
    state
        .active()
        .filter(r -> r.spec().strategy() instanceof StrategySpec.Experiment)
        .ifPresent(
            r ->
                ((StrategySpec.Experiment) r.spec().strategy())
                    .arms()
                    .forEach(a -> arms.add(a.version())));
    if (releasing == null && stable != null && !out.isEmpty()) {
      return out;
    }
    if (releasing == null && stable != null) {
      // after a rolling release was given up: the stable version gets all traffic back once
      // every one of its replicas is healthy again
      VersionState sv = state.versions().get(stable);
      boolean elsewhere =
          state.weights().entrySet().stream()
              .anyMatch(e -> !e.getKey().equals(stable) && e.getValue() > 0);
      if (elsewhere && sv != null && observed.of(stable).healthy() >= sv.replicas()) {
        return List.of(new Event.TrafficSet(java.util.Map.of(stable, 100)));
      }
    }
    for (VersionState v : state.versions().values()) {
      boolean needed =
          v.version().equals(stable)
              || v.version().equals(releasing)
              || arms.contains(v.version())
              || state.weights().getOrDefault(v.version(), 0) > 0
              || (v.retireAt() != null && now.isBefore(v.retireAt()));
      if (!needed) {
        out.add(new ReplicasSet(v.version(), v.revision(), 0));
      }
    }
    return out;
  }
}
