package dev.sluice.core.release;

import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.HooksFinished;
import dev.sluice.core.event.Event.ReleaseFailed;
import dev.sluice.core.release.Observations.HookOutcome;
import java.util.List;
import java.util.Optional;

/** The events of a hook phase that finished: recorded, and a failure fails the release. */
final class Hooks {
  private Hooks() {}

  static List<Event> outcome(Release r, Observations observed, String phase) {
    Optional<HookOutcome> o = observed.hook(r.revision(), phase);
    if (o.isEmpty()) {
      return List.of();
    }
    HookOutcome h = o.get();
    HooksFinished done = new HooksFinished(phase, h.passed(), h.detail());
    return h.passed()
        ? List.of(done)
        : List.of(done, new ReleaseFailed(phase + " hook failed: " + h.detail()));
  }
}
