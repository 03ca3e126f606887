package dev.sluice.runtime.platform;

import dev.sluice.core.release.AppState;
import dev.sluice.core.spec.AppSpec;

/** Finds the spec a release of an app ran with (a running version keeps its release's spec). */
@FunctionalInterface
public interface SpecResolver {

  /**
   * The spec of release {@code revision} of the app.
   *
   * @throws IllegalStateException when the store has no such release
   */
  AppSpec specOf(AppState state, int revision);
}
