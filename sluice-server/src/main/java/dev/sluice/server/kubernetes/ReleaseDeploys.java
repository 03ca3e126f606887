package dev.sluice.server.kubernetes;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.kubernetes.release.ReleaseCommands;
import dev.sluice.kubernetes.release.ReleaseStatus;
import dev.sluice.server.control.Controller;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Deploys asked for by Release resources, run as the control API runs {@code sluice deploy}: the
 * spec file is read again, then the controller starts the release. A Release of the version that is
 * stable already, with nothing in progress, is reported Succeeded without a new release, so
 * re-applying it (as a GitOps tool does) changes nothing.
 */
public final class ReleaseDeploys implements ReleaseCommands {
  /** Who the event log names as the author of these deploys. */
  public static final String BY = "release-resource";

  private final Controller controller;
  private final @Nullable Path specFile;

  /**
   * @param specFile read again before each deploy; null to deploy with the specs the controller has
   */
  public ReleaseDeploys(Controller controller, @Nullable Path specFile) {
    this.controller = controller;
    this.specFile = specFile;
  }

  @Override
  public CompletableFuture<ReleaseStatus> deploy(String app, String version) {
    CompletableFuture<List<String>> specs = CompletableFuture.completedFuture(List.of());
    if (specFile != null) {
      try {
        specs = controller.updateSpecs(SpecParser.parse(specFile));
      } catch (SpecException e) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "the spec file has problems, so nothing was deployed: " + e.getMessage()));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("cannot read the spec file: " + e.getMessage()));
      }
    }
    return specs.thenCompose(
        refused ->
            controller
                .command(
                    app,
                    (state, spec) -> {
                      if (state.active().isEmpty() && version.equals(state.stableVersion())) {
                        return List.of(); // already released: nothing to do
                      }
                      return Commands.deploy(state, spec, version, false, BY);
                    })
                .thenApply(ReleaseDeploys::status));
  }

  /** The status of an app's current (or last) release, for its Release resource. */
  public static ReleaseStatus status(AppState state) {
    Release r = state.release();
    if (r == null) {
      return new ReleaseStatus("Pending", null, 0, state.weights(), "");
    }
    String message = r.reason() != null ? r.reason() : "";
    if (message.isEmpty() && !r.phase().isDone()) {
      message = r.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      if (r.spec().strategy() instanceof dev.sluice.core.spec.StrategySpec.Canary c
          && r.step() < c.steps().size()) {
        message =
            "step "
                + (r.step() + 1)
                + " of "
                + c.steps().size()
                + ": "
                + c.steps().get(r.step()).describe();
      }
    }
    return new ReleaseStatus(
        r.phase().status(), r.version(), r.revision(), state.weights(), message);
  }
}
