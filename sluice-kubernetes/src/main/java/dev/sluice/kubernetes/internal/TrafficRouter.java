package dev.sluice.kubernetes.internal;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.VersionState;
import dev.sluice.core.spec.KubernetesTraffic;
import dev.sluice.core.spec.RuntimeSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Moves an app's traffic on Kubernetes: points Services at versions and sets weights where the
 * router has them. {@link #route} reads the objects it manages and writes only what differs, so
 * calling it again changes nothing (level-triggered).
 */
public interface TrafficRouter {

  /**
   * Makes Services and routes match {@code roles}.
   *
   * @param targetPort the pods' port, for Services Sluice creates
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses
   * @throws RouteException when an object Sluice needs (an HTTPRoute, a VirtualService) is missing
   *     or has no route to the stable Service
   */
  void route(Roles roles, int targetPort) throws RouteException;

  /** An in-cluster URL that reaches {@code version} alone, or null when no Service does. */
  @Nullable String url(Roles roles, String version);

  /** The name of the preview Service, or null when there is none. */
  default @Nullable String previewService() {
    return null;
  }

  /** How many pods each version runs: by default what the state asks. */
  default Map<String, Integer> pods(AppState state, Roles roles) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (VersionState v : state.versions().values()) {
      out.put(v.version(), v.replicas());
    }
    return out;
  }

  /** The router an app's spec names. */
  static TrafficRouter of(KubernetesClient client, String app, RuntimeSpec.Kubernetes k) {
    Services services = new Services(client, app, k.namespace(), k.port());
    return switch (k.traffic()) {
      case KubernetesTraffic.Service s -> new ServiceSwitchRouter(services, s);
      case KubernetesTraffic.GatewayApi g -> new GatewayApiRouter(client, services, g);
      case KubernetesTraffic.Istio i -> new IstioRouter(client, services, i);
      case KubernetesTraffic.Replicas r -> new ReplicaRatioRouter(services, r);
    };
  }

  /** An object a router needs is missing or does not route to the app. */
  final class RouteException extends Exception {
    private static final long serialVersionUID = 1L;

    public RouteException(String message) {
      super(message);
    }
  }
}
