package dev.sluice.kubernetes.release;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How one release of an app is going, as it is written to a Release's status.
 *
 * @param phase Progressing, Paused, Succeeded, Failed, RolledBack or Aborted (Sluice's release
 *     statuses), or Refused when the deploy was not accepted, Superseded when a later release
 *     replaced it
 * @param version the version being released
 * @param revision the release's number in Sluice, 0 when it has none
 * @param weights the traffic split now, version to percent
 * @param message why it paused, failed or was refused, or the step it is at
 */
public record ReleaseStatus(
    String phase,
    @Nullable String version,
    int revision,
    Map<String, Integer> weights,
    String message) {
  public ReleaseStatus {
    weights = Map.copyOf(weights);
  }

  /** The status of a deploy that was not accepted. */
  public static ReleaseStatus refused(String version, String why) {
    return new ReleaseStatus("Refused", version, 0, Map.of(), why);
  }

  /** Whether the release can change no more (so a later one does not supersede it). */
  public boolean isFinal() {
    return !phase.equals("Progressing") && !phase.equals("Paused");
  }
}
