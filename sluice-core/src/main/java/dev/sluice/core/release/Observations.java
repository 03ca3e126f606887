package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the controller saw of the world when it asked for a decision: the health of each version's
 * replicas and the hooks that finished.
 */
public record Observations(
    Map<String, VersionHealth> versions,
    List<HookOutcome> hooks,
    Set<String> openGates,
    Map<String, AnalysisResult> measured) {

  public Observations {
    versions = Map.copyOf(versions);
    hooks = List.copyOf(hooks);
    openGates = Set.copyOf(openGates);
    measured = Map.copyOf(measured);
  }

  public Observations(Map<String, VersionHealth> versions, List<HookOutcome> hooks) {
    this(versions, hooks, Set.of(), Map.of());
  }

  public static Observations none() {
    return new Observations(Map.of(), List.of(), Set.of(), Map.of());
  }

  /** The key of a measurement in {@link #measured}: release revision, run name and number. */
  public static String measurementKey(int revision, String run, int n) {
    return revision + "/" + run + "/" + n;
  }

  /** The key of a canary gate in {@link #openGates}: release revision and step index. */
  public static String gateKey(int revision, int step) {
    return revision + "/" + step;
  }

  /** Whether the gate of step {@code step} of release {@code revision} answered 200. */
  public boolean gateOpen(int revision, int step) {
    return openGates.contains(gateKey(revision, step));
  }

  /** The health of {@code version}; no replicas when it was not seen. */
  public VersionHealth of(String version) {
    return versions.getOrDefault(version, VersionHealth.NONE);
  }

  /** The outcome of one release's hooks of one phase, if they finished. */
  public Optional<HookOutcome> hook(int revision, String phase) {
    return hooks.stream()
        .filter(h -> h.revision() == revision && h.phase().equals(phase))
        .findFirst();
  }

  /**
   * How a version's replicas are doing.
   *
   * @param running replicas whose process (or endpoint) exists
   * @param healthy replicas passing their health check
   * @param detail why the others are not healthy, for messages; empty when all are
   */
  public record VersionHealth(int running, int healthy, String detail) {
    public static final VersionHealth NONE = new VersionHealth(0, 0, "");
  }

  /** The hooks of one phase of one release finished. */
  public record HookOutcome(int revision, String phase, boolean passed, String detail) {}
}
