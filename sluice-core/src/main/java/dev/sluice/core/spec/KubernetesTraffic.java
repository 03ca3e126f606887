package dev.sluice.core.spec;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How traffic moves between the versions of an app that runs on Kubernetes: a Service selector
 * switch, Gateway API {@code HTTPRoute} weights, an Istio {@code VirtualService}, or the ratio of
 * replicas behind one Service.
 */
public sealed interface KubernetesTraffic {

  /**
   * The name used in specs: {@code service}, {@code gatewayApi}, {@code istio}, {@code replicas}.
   */
  String kind();

  /** The Service users reach the app through (its stable Service). */
  String mainService();

  /**
   * Blue-green by switching a Service's selector to the new version (the way a hand-made blue-green
   * on Kubernetes is done).
   *
   * @param name the Service users reach; its selector follows the stable version
   * @param previewName a Service that selects the new version before the switch; null for none
   */
  record Service(String name, @Nullable String previewName) implements KubernetesTraffic {
    @Override
    public String kind() {
      return "service";
    }

    @Override
    public String mainService() {
      return name;
    }
  }

  /**
   * Weights on the two backendRefs of a Gateway API {@code HTTPRoute}; works with any Gateway API
   * implementation.
   *
   * @param httpRoute the route (in the app's namespace) whose rule refers to {@code stableService}
   * @param stableService a Service Sluice points at the stable version
   * @param canaryService a Service Sluice points at the new version during a release
   * @param match requests that go to the new version whatever the weights, as extra rules
   */
  record GatewayApi(String httpRoute, String stableService, String canaryService, List<Match> match)
      implements KubernetesTraffic {
    public GatewayApi {
      match = List.copyOf(match);
    }

    @Override
    public String kind() {
      return "gatewayApi";
    }

    @Override
    public String mainService() {
      return stableService;
    }
  }

  /**
   * Weights on the destinations of one HTTP route of an Istio {@code VirtualService}, header
   * matches as routes before it, and mirroring to the new version while it takes no live traffic.
   *
   * @param virtualService the VirtualService in the app's namespace
   * @param route the name of its HTTP route to weight; null for the first one
   * @param stableHost the Service (destination host) Sluice points at the stable version
   * @param canaryHost the Service Sluice points at the new version during a release
   * @param match requests that go to the new version whatever the weights
   * @param mirrorPercent the percent of requests mirrored to a new version that gets no live
   *     traffic yet (before a canary's first weight, or a blue-green before its switch); 0 for none
   */
  record Istio(
      String virtualService,
      @Nullable String route,
      String stableHost,
      String canaryHost,
      List<Match> match,
      int mirrorPercent)
      implements KubernetesTraffic {
    public Istio {
      match = List.copyOf(match);
    }

    @Override
    public String kind() {
      return "istio";
    }

    @Override
    public String mainService() {
      return stableHost;
    }
  }

  /**
   * No mesh: one Service selects every version's pods, and a weight is approximated by the ratio of
   * replicas (what Argo Rollouts does without traffic routing).
   *
   * @param service the Service users reach
   */
  record Replicas(String service) implements KubernetesTraffic {
    @Override
    public String kind() {
      return "replicas";
    }

    @Override
    public String mainService() {
      return service;
    }
  }

  /**
   * Requests that go to the new version whatever the weights: a header with a value, or a cookie
   * with a value.
   */
  record Match(Kind kind, String name, String value) {
    /** What is matched. */
    public enum Kind {
      HEADER,
      COOKIE
    }
  }
}
