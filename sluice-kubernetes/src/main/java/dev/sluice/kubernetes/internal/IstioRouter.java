package dev.sluice.kubernetes.internal;

import dev.sluice.core.spec.KubernetesTraffic;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Canary and blue-green with Istio: the destinations of one HTTP route of a {@code VirtualService}
 * (the stable and the canary Service as hosts, as Argo Rollouts' host-level splitting) carry the
 * weights; header and cookie matches become routes named {@code sluice-match-N} placed before it
 * (Istio takes the first route that matches); and while the new version gets no live traffic, the
 * route mirrors a percent of requests to it (Flagger's traffic mirroring).
 *
 * <p>The VirtualService is read and written as a generic resource of {@code networking.istio.io/v1}
 * (Istio 1.22 and later), so Sluice carries no Istio model.
 */
final class IstioRouter implements TrafficRouter {
  static final ResourceDefinitionContext VIRTUAL_SERVICE =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  private static final String MATCH_ROUTE = "sluice-match-";

  private final KubernetesClient client;
  private final Services services;
  private final KubernetesTraffic.Istio spec;

  IstioRouter(KubernetesClient client, Services services, KubernetesTraffic.Istio spec) {
    this.client = client;
    this.services = services;
    this.spec = spec;
  }

  @Override
  public void route(Roles roles, int targetPort) throws RouteException {
    if (roles.stable() == null) {
      if (roles.canary() != null) {
        services.select(spec.canaryHost(), roles.canary(), targetPort);
      }
      return;
    }
    services.select(spec.stableHost(), roles.stable(), targetPort);
    services.select(
        spec.canaryHost(), roles.canary() != null ? roles.canary() : roles.stable(), targetPort);
    String ns = services.namespace();
    GenericKubernetesResource vs =
        client
            .genericKubernetesResources(VIRTUAL_SERVICE)
            .inNamespace(ns)
            .withName(spec.virtualService())
            .get();
    if (vs == null) {
      throw new RouteException(
          "VirtualService "
              + ns
              + "/"
              + spec.virtualService()
              + " does not exist: create it with an HTTP route to host "
              + spec.stableHost());
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    GenericKubernetesResource desired = json.clone(vs);
    Map<String, Object> body = map(desired.getAdditionalProperties().get("spec"));
    List<Object> http = new ArrayList<>();
    Map<String, Object> primary = null;
    for (Object o : list(body.get("http"))) {
      Map<String, Object> route = map(o);
      String name = route.get("name") instanceof String s ? s : null;
      if (name != null && name.startsWith(MATCH_ROUTE)) {
        continue; // made again below
      }
      if (primary == null
          && (spec.route() == null
              ? destination(route, spec.stableHost()) != null
              : spec.route().equals(name))) {
        primary = route;
      }
      http.add(route);
    }
    if (primary == null) {
      throw new RouteException(
          "VirtualService "
              + ns
              + "/"
              + spec.virtualService()
              + (spec.route() == null
                  ? " has no HTTP route to host " + spec.stableHost()
                  : " has no HTTP route named " + spec.route()));
    }
    Map<String, Object> stable = destination(primary, spec.stableHost());
    if (stable == null) {
      throw new RouteException(
          "HTTP route "
              + spec.route()
              + " of VirtualService "
              + ns
              + "/"
              + spec.virtualService()
              + " has no destination host "
              + spec.stableHost());
    }
    Map<String, Object> canary = destination(primary, spec.canaryHost());
    if (canary == null) {
      canary = new LinkedHashMap<>();
      Map<String, Object> target = new LinkedHashMap<>(map(stable.get("destination")));
      target.put("host", spec.canaryHost());
      target.remove("subset");
      canary.put("destination", target);
      list(primary.get("route")).add(canary);
    }
    boolean release = roles.canary() != null;
    stable.put("weight", release ? roles.stableWeight() : 100);
    canary.put("weight", release ? roles.canaryWeight() : 0);
    Object mirror = primary.get("mirror");
    boolean ours = mirror != null && spec.canaryHost().equals(map(mirror).get("host"));
    if (release && roles.canaryWeight() == 0 && spec.mirrorPercent() > 0) {
      Map<String, Object> to = new LinkedHashMap<>(map(canary.get("destination")));
      to.remove("subset");
      primary.put("mirror", to);
      primary.put("mirrorPercentage", Map.of("value", (double) spec.mirrorPercent()));
    } else if (ours) {
      primary.remove("mirror");
      primary.remove("mirrorPercentage");
    }
    if (release && !spec.match().isEmpty()) {
      http.addAll(http.indexOf(primary), matchRoutes(primary, map(canary.get("destination"))));
    }
    body.put("http", http);
    desired.getAdditionalProperties().put("spec", body);
    if (!json.asJson(desired.getAdditionalProperties().get("spec"))
        .equals(json.asJson(vs.getAdditionalProperties().get("spec")))) {
      client.genericKubernetesResources(VIRTUAL_SERVICE).inNamespace(ns).resource(desired).update();
    }
  }

  /**
   * Routes sending what {@code spec.match()} names, on the requests of {@code primary}, to the
   * canary.
   */
  private List<Map<String, Object>> matchRoutes(
      Map<String, Object> primary, Map<String, Object> canaryDestination) {
    List<Object> base = list(primary.get("match"));
    if (base.isEmpty()) {
      base = List.of(Map.of());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    int n = 1;
    for (KubernetesTraffic.Match want : spec.match()) {
      List<Object> matches = new ArrayList<>();
      for (Object m : base) {
        Map<String, Object> match = new LinkedHashMap<>(map(m));
        Map<String, Object> headers = new LinkedHashMap<>(map(match.get("headers")));
        if (want.kind() == KubernetesTraffic.Match.Kind.HEADER) {
          headers.put(
              want.name().toLowerCase(java.util.Locale.ROOT), Map.of("exact", want.value()));
        } else {
          headers.put(
              "cookie", Map.of("regex", GatewayApiRouter.cookieRegex(want.name(), want.value())));
        }
        match.put("headers", headers);
        matches.add(match);
      }
      Map<String, Object> route = new LinkedHashMap<>();
      route.put("name", MATCH_ROUTE + n++);
      route.put("match", matches);
      route.put("route", List.of(Map.of("destination", canaryDestination, "weight", 100)));
      out.add(route);
    }
    return out;
  }

  private static @Nullable Map<String, Object> destination(Map<String, Object> route, String host) {
    for (Object o : list(route.get("route"))) {
      Map<String, Object> d = map(o);
      Object h = map(d.get("destination")).get("host");
      if (h instanceof String s && (s.equals(host) || s.startsWith(host + "."))) {
        return d;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : new LinkedHashMap<>();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(@Nullable Object o) {
    return o instanceof List<?> l ? (List<Object>) l : new ArrayList<>();
  }

  @Override
  public @Nullable String url(Roles roles, String version) {
    if (version.equals(roles.canary())) {
      return services.url(spec.canaryHost());
    }
    return version.equals(roles.stable()) ? services.url(spec.stableHost()) : null;
  }
}
