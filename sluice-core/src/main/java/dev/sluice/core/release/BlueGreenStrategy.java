package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.Paused;
import dev.sluice.core.event.Event.ReleaseFailed;
import dev.sluice.core.event.Event.ReleaseSucceeded;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.event.Event.VersionReady;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.StrategySpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Blue-green: the new version starts at full size beside the stable one and gets no traffic until
 * every replica is healthy and the prePromotion hooks passed; then all traffic moves in one table
 * swap. The old version stays warm for {@code scaleDownDelay} (see {@link AppState#apply}), so a
 * rollback is one swap back.
 *
 * <p>If the new version is not healthy within {@code progressDeadline}, or a hook fails, the
 * release fails before any user saw the new version.
 */
final class BlueGreenStrategy implements ReleaseStrategy {

  @Override
  public List<Event> decide(AppState state, Release r, Observations observed, Instant now) {
    AppSpec spec = r.spec();
    StrategySpec.BlueGreen bg = (StrategySpec.BlueGreen) spec.strategy();
    int size = Replicas.of(spec, r.version());
    return switch (r.phase()) {
      case PRE_ROLLOUT -> Hooks.outcome(r, observed, "preRollout");
      case STARTING -> {
        VersionState v = state.versions().get(r.version());
        if (v == null || v.replicas() != size) {
          yield List.of(new ReplicasSet(r.version(), r.revision(), size));
        }
        VersionHealth h = observed.of(r.version());
        if (h.healthy() >= size) {
          yield List.of(new VersionReady(r.version(), size));
        }
        yield pastDeadline(r, now, h, size);
      }
      case PRE_PROMOTION -> Hooks.outcome(r, observed, "prePromotion");
      case READY, PAUSED -> {
        if (!bg.autoPromote() && !r.promoteRequested()) {
          yield r.phase() == ReleasePhase.PAUSED
              ? List.of()
              : List.of(new Paused("autoPromote is off: run 'sluice promote " + state.app() + "'"));
        }
        VersionHealth h = observed.of(r.version());
        if (h.healthy() < size) {
          // A replica went down after the checks: switching now would send users to it.
          yield pastDeadline(r, now, h, size);
        }
        yield List.of(new TrafficSet(Map.of(r.version(), 100)), new ReleaseSucceeded(r.version()));
      }
      default -> List.of();
    };
  }

  private static List<Event> pastDeadline(Release r, Instant now, VersionHealth h, int size) {
    if (now.isBefore(r.startedAt().plus(r.spec().progressDeadline()))) {
      return List.of();
    }
    return List.of(
        new ReleaseFailed(
            r.version()
                + " was not healthy within progressDeadline "
                + Durations.format(r.spec().progressDeadline())
                + ": "
                + h.healthy()
                + " of "
                + size
                + " replicas healthy"
                + (h.detail().isEmpty() ? "" : " (" + h.detail() + ")")));
  }
}
