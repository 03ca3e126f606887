package dev.sluice.kubernetes.internal;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Release;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.KubernetesTraffic;
import dev.sluice.core.spec.StrategySpec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * No mesh: one Service selects the pods of every version, so each ready pod takes an even share and
 * a weight is approximated by the ratio of replicas, as Argo Rollouts does without traffic routing.
 *
 * <p>During a canary the stable version gives up as many pods as the canary runs ({@code 4}
 * replicas at weight 25: 3 stable and 1 canary pod), so the share is close to the weight; how close
 * depends on the replica count (with 4 replicas, 10% becomes 25%). A canary's pods take their share
 * as soon as they are ready, before its first weight is set, and a version kept after the switch
 * ({@code scaleDownDelay}) has no pods, since any pod it ran would take traffic: a rollback scales
 * it back up.
 */
final class ReplicaRatioRouter implements TrafficRouter {
  private final Services services;
  private final KubernetesTraffic.Replicas spec;

  ReplicaRatioRouter(Services services, KubernetesTraffic.Replicas spec) {
    this.services = services;
    this.spec = spec;
  }

  @Override
  public void route(Roles roles, int targetPort) {
    services.select(spec.service(), null, targetPort);
  }

  @Override
  public @Nullable String url(Roles roles, String version) {
    return null; // the one Service reaches every version: the platform gives a pod's address
  }

  @Override
  public Map<String, Integer> pods(AppState state, Roles roles) {
    String release = state.active().map(Release::version).orElse(null);
    boolean canary =
        state.active().map(r -> r.spec().strategy() instanceof StrategySpec.Canary).orElse(false);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (VersionState v : state.versions().values()) {
      int weight = state.weights().getOrDefault(v.version(), 0);
      out.put(v.version(), weight > 0 || v.version().equals(release) ? v.replicas() : 0);
    }
    String stable = roles.stable();
    String next = roles.canary();
    if (canary
        && stable != null
        && next != null
        && roles.stableWeight() > 0
        && roles.stableWeight() < 100
        && out.containsKey(stable)) {
      int canaryPods = out.getOrDefault(next, 0);
      out.put(stable, Math.max(1, out.get(stable) - canaryPods));
    }
    return out;
  }
}
