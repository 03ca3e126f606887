package dev.sluice.core.release;

/** Where a release is. The last four are final. */
public enum ReleasePhase {
  /** Running the preRollout hooks. */
  PRE_ROLLOUT("Progressing"),
  /** Starting the new version and waiting until every replica is healthy (blue-green). */
  STARTING("Progressing"),
  /** Going through the steps: canary weights and pauses, or rolling batches. */
  STEPS("Progressing"),
  /** Running the prePromotion hooks against the healthy new version. */
  PRE_PROMOTION("Progressing"),
  /** Healthy and checked; about to move traffic (blue-green). */
  READY("Progressing"),
  /** Scaling the new version to full size, then moving all traffic to it (canary). */
  PROMOTING("Progressing"),
  /** Waiting for {@code sluice promote}. */
  PAUSED("Paused"),
  SUCCEEDED("Succeeded"),
  /** A shadow release handed over to the release that continues it. */
  CONTINUED("Continued"),
  FAILED("Failed"),
  ROLLED_BACK("RolledBack"),
  ABORTED("Aborted");

  private final String status;

  ReleasePhase(String status) {
    this.status = status;
  }

  /** The status shown to people: Progressing, Paused, Succeeded, Failed, RolledBack, Aborted. */
  public String status() {
    return status;
  }

  public boolean isDone() {
    return ordinal() >= SUCCEEDED.ordinal();
  }
}
