package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.PromoteRequested;
import dev.sluice.core.event.Event.ReleaseAborted;
import dev.sluice.core.event.Event.ReleaseStarted;
import dev.sluice.core.event.Event.RolledBack;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.release.CommandException.Kind;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.RuntimeSpec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.StrategySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What people ask of a release (deploy, promote, abort, rollback), turned into events, or refused
 * with a {@link CommandException} that says why and changes nothing.
 */
public final class Commands {
  private Commands() {}

  /**
   * Starts a release of {@code version} with the app's current spec.
   *
   * @param force replace a release in progress (it is aborted) instead of refusing
   */
  public static List<Event> deploy(
      AppState state, AppSpec spec, String version, boolean force, String by)
      throws CommandException {
    if (!SpecParser.VERSION_NAME.matcher(version).matches()) {
      throw new CommandException(
          Kind.INVALID,
          "version: \"" + version + "\" (expected: " + SpecParser.VERSION_EXPECTED + ")");
    }
    if (spec.runtime() instanceof RuntimeSpec.Static s && !s.versions().containsKey(version)) {
      throw new CommandException(
          Kind.INVALID,
          "version: \""
              + version
              + "\" (expected: one of the static versions of "
              + spec.name()
              + ": "
              + String.join(", ", s.versions().keySet().stream().sorted().toList())
              + ")");
    }
    if (spec.strategy() instanceof StrategySpec.Experiment e && e.arm(version) == null) {
      throw new CommandException(
          Kind.INVALID,
          "version: \""
              + version
              + "\" (expected: one of the experiment's variants: "
              + String.join(
                  ", ", e.arms().stream().map(StrategySpec.Experiment.Arm::version).toList())
              + ")");
    }
    List<Event> out = new ArrayList<>();
    Optional<Release> active = state.active();
    if (active.isPresent()) {
      Release r = active.get();
      if (!force) {
        throw new CommandException(
            Kind.CONFLICT,
            "release "
                + r.revision()
                + " of "
                + spec.name()
                + " ("
                + r.version()
                + ") is in progress ("
                + r.phase().status()
                + "); wait for it, stop it with 'sluice abort "
                + spec.name()
                + "', or deploy with --force");
      }
      out.addAll(
          stopActive(
              state, r, new ReleaseAborted("replaced by a deploy of " + version + " by " + by)));
    } else if (version.equals(state.stableVersion())) {
      throw new CommandException(
          Kind.CONFLICT, version + " is already the stable version of " + spec.name());
    }
    out.add(
        new ReleaseStarted(
            state.lastRevision() + 1,
            version,
            spec.strategy().kind(),
            state.stableVersion(),
            "deploy",
            spec.snapshot(),
            false));
    return out;
  }

  /** Lets a paused release go on ({@code full}: skip its remaining steps). */
  public static List<Event> promote(AppState state, boolean full, String by)
      throws CommandException {
    return promote(state, full, null, by);
  }

  /**
   * Lets a paused release go on; for an experiment, {@code version} names the arm that wins. A
   * shadow whose analysis has not passed cannot be promoted.
   */
  public static List<Event> promote(
      AppState state, boolean full, @Nullable String version, String by) throws CommandException {
    Release r = activeOrRefuse(state, "promote");
    if (version != null) {
      if (!(r.spec().strategy() instanceof StrategySpec.Experiment e)) {
        throw new CommandException(
            Kind.INVALID,
            "version: \""
                + version
                + "\" (expected: no version; --version picks the arm of an experiment, and release "
                + r.revision()
                + " is a "
                + r.spec().strategy().kind()
                + ")");
      }
      if (e.arm(version) == null) {
        throw new CommandException(
            Kind.INVALID,
            "version: \""
                + version
                + "\" (expected: one of the experiment's arms: "
                + String.join(
                    ", ", e.arms().stream().map(StrategySpec.Experiment.Arm::version).toList())
                + ")");
      }
      return List.of(new PromoteRequested(full, by, version));
    }
    if (r.spec().strategy() instanceof StrategySpec.Shadow
        && r.runs().get("shadow") != null
        && !Analyses.passed(r.runs().get("shadow"))) {
      throw new CommandException(
          Kind.CONFLICT,
          "the shadow's responses have not been judged to agree yet ("
              + (r.runs().get("shadow").reason().isEmpty()
                  ? r.runs().get("shadow").measurements() + " measurements so far"
                  : r.runs().get("shadow").reason())
              + "); promotion waits for its analysis");
    }
    if (r.promoteRequested() && !full) {
      throw new CommandException(
          Kind.CONFLICT, "release " + r.revision() + " of " + state.app() + " is already promoted");
    }
    return List.of(new PromoteRequested(full, by));
  }

  /** Stops the release in progress; all traffic stays with (or returns to) the stable version. */
  public static List<Event> abort(AppState state, String by) throws CommandException {
    Release r = activeOrRefuse(state, "abort");
    return stopActive(state, r, new ReleaseAborted("aborted by " + by));
  }

  /**
   * Goes back to an earlier version: during a release, back to the stable version at once;
   * afterwards, to {@code to} (default: the previous live revision), at once when that version is
   * still running, else by releasing that revision again with its own spec.
   *
   * @param current the app's current spec: its revisionHistoryLimit bounds how far back a rollback
   *     may go, and a canary's rollbackWindow says which rollbacks skip the steps
   */
  public static List<Event> rollback(
      AppState state, @Nullable String to, AppSpec current, String by) throws CommandException {
    int historyLimit = current.revisionHistoryLimit();
    String stable = state.stableVersion();
    Optional<Release> active = state.active();
    if (active.isPresent()) {
      Release r = active.get();
      if (to != null && !to.equals(stable)) {
        throw new CommandException(
            Kind.CONFLICT,
            "a release is in progress; a rollback now returns to the stable version "
                + (stable == null ? "(none)" : stable)
                + ", not "
                + to);
      }
      if (stable == null) {
        return stopActive(
            state, r, new ReleaseAborted("rolled back by " + by + " (no stable version)"));
      }
      return stopActive(
          state,
          r,
          new RolledBack(stable, "requested by " + by + " during release " + r.revision()));
    }
    if (stable == null) {
      throw new CommandException(Kind.CONFLICT, state.app() + " has no release to roll back from");
    }
    List<Revision> reachable = state.history().stream().limit(historyLimit + 1L).toList();
    Revision target;
    if (to == null) {
      target =
          reachable.stream()
              .filter(rev -> !rev.version().equals(stable))
              .findFirst()
              .orElseThrow(
                  () ->
                      new CommandException(
                          Kind.CONFLICT, state.app() + " has no earlier revision to roll back to"));
    } else {
      if (to.equals(stable)) {
        throw new CommandException(
            Kind.CONFLICT, to + " is already the stable version of " + state.app());
      }
      target =
          reachable.stream()
              .filter(rev -> rev.version().equals(to))
              .findFirst()
              .orElseThrow(
                  () ->
                      new CommandException(
                          Kind.NOT_FOUND,
                          "to: \""
                              + to
                              + "\" (expected: a version among the last "
                              + historyLimit
                              + " revisions of "
                              + state.app()
                              + ": "
                              + reachable.stream()
                                  .map(Revision::version)
                                  .distinct()
                                  .collect(Collectors.joining(", "))
                              + ")"));
    }
    VersionState warm = state.versions().get(target.version());
    if (warm != null && warm.replicas() > 0) {
      return List.of(
          new RolledBack(
              target.version(),
              "requested by " + by + "; " + target.version() + " was still running"),
          new TrafficSet(Map.of(target.version(), 100)));
    }
    AppSpec targetSpec;
    try {
      targetSpec = SpecParser.parseSnapshot(target.spec());
    } catch (dev.sluice.core.spec.SpecException e) {
      throw new CommandException(
          Kind.CONFLICT,
          "revision " + target.number() + " cannot be started again: " + e.getMessage());
    }
    int window = current.strategy() instanceof StrategySpec.Canary c ? c.rollbackWindow() : 0;
    boolean skip = state.history().stream().limit(window + 1L).anyMatch(rev -> rev.equals(target));
    return List.of(
        new ReleaseStarted(
            state.lastRevision() + 1,
            target.version(),
            targetSpec.strategy().kind(),
            stable,
            "rollback",
            target.spec(),
            skip));
  }

  private static Release activeOrRefuse(AppState state, String what) throws CommandException {
    return state
        .active()
        .orElseThrow(
            () ->
                new CommandException(
                    Kind.CONFLICT, "no release of " + state.app() + " is in progress to " + what));
  }

  /** Ends the active release with {@code end} and puts all traffic back on the stable version. */
  private static List<Event> stopActive(AppState state, Release r, Event end) {
    List<Event> out = new ArrayList<>();
    out.add(end);
    out.addAll(restoreStable(state));
    return out;
  }

  /**
   * The events that give the stable version all traffic again: at once when it runs at full size
   * (blue-green, canary); after scaling it back up when a rolling release shrank it (the traffic
   * then follows in {@link Decider}'s housekeeping, once its replicas are healthy).
   */
  static List<Event> restoreStable(AppState state) {
    Revision stable = state.stable();
    if (stable == null) {
      return List.of();
    }
    int full;
    try {
      AppSpec spec = SpecParser.parseSnapshot(stable.spec());
      full = Replicas.of(spec, stable.version());
    } catch (dev.sluice.core.spec.SpecException e) {
      full = 0;
    }
    VersionState v = state.versions().get(stable.version());
    int have = v == null ? 0 : v.replicas();
    if (full > have) {
      return List.of(
          new Event.ReplicasSet(
              stable.version(), v == null ? stable.number() : v.revision(), full));
    }
    boolean elsewhere =
        state.weights().entrySet().stream()
            .anyMatch(e -> !e.getKey().equals(stable.version()) && e.getValue() > 0);
    return elsewhere ? List.of(new TrafficSet(Map.of(stable.version(), 100))) : List.of();
  }
}
