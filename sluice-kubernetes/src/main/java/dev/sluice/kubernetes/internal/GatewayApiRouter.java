package dev.sluice.kubernetes.internal;

import dev.sluice.core.spec.KubernetesTraffic;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatchBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Canary and blue-green on any Gateway API implementation: the rules of an {@code HTTPRoute} that
 * send to the stable Service get a second backendRef, the canary Service, and the two refs carry
 * the weights. Requests matching a header or cookie go to the canary through extra rules that
 * Sluice names {@code sluice-match-N} and removes when no release needs them.
 *
 * <p>An extra rule copies each path (and method) match of the rule it shadows and adds the header,
 * so it is more specific than that rule under the Gateway API's precedence (path, then method, then
 * the number of header matches) and wins for the requests it matches. A cookie is matched as a
 * regular expression on the {@code Cookie} header, which implementations support as "extended".
 */
final class GatewayApiRouter implements TrafficRouter {
  static final String MATCH_RULE = "sluice-match-";

  private final KubernetesClient client;
  private final Services services;
  private final KubernetesTraffic.GatewayApi spec;

  GatewayApiRouter(KubernetesClient client, Services services, KubernetesTraffic.GatewayApi spec) {
    this.client = client;
    this.services = services;
    this.spec = spec;
  }

  @Override
  public void route(Roles roles, int targetPort) throws RouteException {
    if (roles.stable() == null) {
      if (roles.canary() != null) {
        services.select(spec.canaryService(), roles.canary(), targetPort);
      }
      return; // nothing takes traffic yet: the route stays as it is
    }
    services.select(spec.stableService(), roles.stable(), targetPort);
    services.select(
        spec.canaryService(), roles.canary() != null ? roles.canary() : roles.stable(), targetPort);
    HTTPRoute route =
        client
            .resources(HTTPRoute.class)
            .inNamespace(services.namespace())
            .withName(spec.httpRoute())
            .get();
    if (route == null) {
      throw new RouteException(
          "HTTPRoute "
              + services.namespace()
              + "/"
              + spec.httpRoute()
              + " does not exist: create it with a rule whose backendRef is Service "
              + spec.stableService());
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    HTTPRoute desired = json.clone(route);
    int stableWeight = roles.canary() == null ? 100 : roles.stableWeight();
    int canaryWeight = roles.canary() == null ? 0 : roles.canaryWeight();
    List<HTTPRouteRule> rules = new ArrayList<>();
    List<HTTPRouteRule> weighted = new ArrayList<>();
    for (HTTPRouteRule rule : nonNull(desired.getSpec().getRules())) {
      if (rule.getName() != null && rule.getName().startsWith(MATCH_RULE)) {
        continue; // made again below
      }
      HTTPBackendRef stable = ref(rule, spec.stableService());
      if (stable != null) {
        stable.setWeight(stableWeight);
        HTTPBackendRef canary = ref(rule, spec.canaryService());
        if (canary == null) {
          canary = new HTTPBackendRefBuilder().withName(spec.canaryService()).build();
          canary.setPort(stable.getPort());
          rule.getBackendRefs().add(canary);
        }
        canary.setWeight(canaryWeight);
        weighted.add(rule);
      }
      rules.add(rule);
    }
    if (weighted.isEmpty()) {
      throw new RouteException(
          "HTTPRoute "
              + services.namespace()
              + "/"
              + spec.httpRoute()
              + " has no rule whose backendRef is Service "
              + spec.stableService());
    }
    if (roles.canary() != null && !spec.match().isEmpty()) {
      List<HTTPRouteRule> extra = new ArrayList<>();
      for (HTTPRouteRule rule : weighted) {
        HTTPBackendRef stable = Objects.requireNonNull(ref(rule, spec.stableService()));
        extra.add(matchRule(rule, stable.getPort(), rules.size() + extra.size()));
      }
      rules.addAll(0, renumber(extra));
    }
    desired.getSpec().setRules(rules);
    if (!json.asJson(desired.getSpec()).equals(json.asJson(route.getSpec()))) {
      client
          .resources(HTTPRoute.class)
          .inNamespace(services.namespace())
          .resource(desired)
          .update();
    }
  }

  private static List<HTTPRouteRule> renumber(List<HTTPRouteRule> extra) {
    for (int i = 0; i < extra.size(); i++) {
      extra.get(i).setName(MATCH_RULE + (i + 1));
    }
    return extra;
  }

  /**
   * A rule sending the requests {@code spec.match()} names, on the paths of {@code of}, to the
   * canary.
   */
  private HTTPRouteRule matchRule(HTTPRouteRule of, @Nullable Integer port, int index) {
    List<HTTPRouteMatch> base = nonNull(of.getMatches());
    if (base.isEmpty()) {
      base = List.of(new HTTPRouteMatchBuilder().withNewPath("PathPrefix", "/").build());
    }
    List<HTTPRouteMatch> matches = new ArrayList<>();
    for (HTTPRouteMatch m : base) {
      for (KubernetesTraffic.Match want : spec.match()) {
        HTTPRouteMatchBuilder b = new HTTPRouteMatchBuilder(m);
        if (want.kind() == KubernetesTraffic.Match.Kind.HEADER) {
          b.addToHeaders(
              new HTTPHeaderMatchBuilder()
                  .withType("Exact")
                  .withName(want.name())
                  .withValue(want.value())
                  .build());
        } else {
          b.addToHeaders(
              new HTTPHeaderMatchBuilder()
                  .withType("RegularExpression")
                  .withName("Cookie")
                  .withValue(cookieRegex(want.name(), want.value()))
                  .build());
        }
        matches.add(b.build());
      }
    }
    return new HTTPRouteRuleBuilder()
        .withName(MATCH_RULE + index)
        .withMatches(matches)
        .withBackendRefs(
            new HTTPBackendRefBuilder()
                .withName(spec.canaryService())
                .withPort(port)
                .withWeight(1)
                .build())
        .build();
  }

  /**
   * A regular expression matching a Cookie header that holds {@code name=value}: the cookie first,
   * or after a {@code ;}, and followed by the end or a {@code ;} (the header's syntax, RFC 6265).
   */
  static String cookieRegex(String name, String value) {
    return "(^|.*;\\s*)" + literal(name + "=" + value) + "(;.*|$)";
  }

  /** {@code text} as a regular expression that matches only it, in RE2 and PCRE alike. */
  static String literal(String text) {
    StringBuilder b = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (".^$|?*+()[]{}\\".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  private static @Nullable HTTPBackendRef ref(HTTPRouteRule rule, String service) {
    for (HTTPBackendRef r : nonNull(rule.getBackendRefs())) {
      boolean isService =
          (r.getKind() == null || r.getKind().equals("Service"))
              && (r.getGroup() == null || r.getGroup().isEmpty());
      if (isService && service.equals(r.getName())) {
        return r;
      }
    }
    return null;
  }

  private static <T> List<T> nonNull(@Nullable List<T> list) {
    return list == null ? new ArrayList<>() : list;
  }

  @Override
  public @Nullable String url(Roles roles, String version) {
    if (version.equals(roles.canary())) {
      return services.url(spec.canaryService());
    }
    return version.equals(roles.stable()) ? services.url(spec.stableService()) : null;
  }
}
