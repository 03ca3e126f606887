package dev.sluice.kubernetes.release;

import java.util.concurrent.CompletableFuture;

/**
 * What a {@link ReleaseWatcher} asks of Sluice's controller: the daemon implements it with its
 * command API, so this module needs nothing of the server.
 */
@FunctionalInterface
public interface ReleaseCommands {

  /**
   * Starts a release of {@code version} of {@code app}, as {@code sluice deploy} does.
   *
   * @return completes with the release's status right after it started, or exceptionally when the
   *     deploy was refused; the exception's message is written to the Release for people
   */
  CompletableFuture<ReleaseStatus> deploy(String app, String version);
}
