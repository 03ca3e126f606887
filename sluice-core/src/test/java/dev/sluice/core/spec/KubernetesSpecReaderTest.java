package dev.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code runtime.kubernetes} as docs/spec.md and docs/kubernetes.md describe it. */
class KubernetesSpecReaderTest {

  private static final String CANARY =
      """
      apps:
        - name: shop
          runtime:
            kubernetes:
              namespace: shop
              replicas: 4
              deploymentTemplate:
                metadata: {labels: {team: web}}
                spec:
                  containers:
                    - name: shop
                      image: "ghcr.io/acme/shop:${version}"
                      ports: [{containerPort: 8080}]
              traffic:
                gatewayApi:
                  httpRoute: shop
                  stableService: shop-stable
                  canaryService: shop-canary
                  match:
                    - header: {name: x-canary, value: "true"}
                    - cookie: {name: canary, value: always}
          strategy:
            canary:
              steps: [{setWeight: 20}, {pause: {duration: 1m}}]
              analysis:
                metrics:
                  - name: errors
                    prometheus:
                      address: http://prometheus.monitoring:9090
                      query: sum(rate(http_requests_total{version="{{version}}",code=~"5.."}[1m]))
                    max: 0.5
      """;

  private static List<String> problems(String yaml) {
    try {
      SpecParser.parse(yaml, "sluice.yaml");
    } catch (SpecException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("expected the spec to be rejected:\n" + yaml);
  }

  @Test
  void readsAKubernetesAppWithAGatewayApiRouteAndHeaderMatches() throws SpecException {
    AppSpec shop = SpecParser.parse(CANARY, "sluice.yaml").app("shop").orElseThrow();
    RuntimeSpec.Kubernetes k = (RuntimeSpec.Kubernetes) shop.runtime();
    assertThat(k.namespace()).isEqualTo("shop");
    assertThat(k.replicas()).isEqualTo(4);
    assertThat(k.port()).isEqualTo(80);
    assertThat(k.targetPort()).isNull();
    assertThat(k.workloadRef()).isNull();
    assertThat(k.deploymentTemplate())
        .isEqualTo(
            "{\"metadata\":{\"labels\":{\"team\":\"web\"}},\"spec\":{\"containers\":[{\"name\":"
                + "\"shop\",\"image\":\"ghcr.io/acme/shop:${version}\",\"ports\":"
                + "[{\"containerPort\":8080}]}]}}");
    assertThat(k.traffic())
        .isEqualTo(
            new KubernetesTraffic.GatewayApi(
                "shop",
                "shop-stable",
                "shop-canary",
                List.of(
                    new KubernetesTraffic.Match(
                        KubernetesTraffic.Match.Kind.HEADER, "x-canary", "true"),
                    new KubernetesTraffic.Match(
                        KubernetesTraffic.Match.Kind.COOKIE, "canary", "always"))));
    // No listen written: the app's main Service inside the cluster.
    assertThat(shop.listen()).isEqualTo(new HostPort("shop-stable.shop.svc", 80));
  }

  @Test
  void analysesOfAKubernetesAppNeedNoMinimumOfRequestsAlsoAfterASnapshot() throws SpecException {
    AppSpec shop = SpecParser.parse(CANARY, "sluice.yaml").app("shop").orElseThrow();
    StrategySpec.Canary c = (StrategySpec.Canary) shop.strategy();
    assertThat(c.analysis().minRequests()).isZero();
    StrategySpec.Canary again =
        (StrategySpec.Canary) SpecParser.parseSnapshot(shop.snapshot()).strategy();
    assertThat(again.analysis().minRequests()).isZero();
  }

  @Test
  void readsWorkloadRefServiceIstioAndReplicaTraffic() throws SpecException {
    Spec spec =
        SpecParser.parse(
            """
            apps:
              - name: blue
                runtime:
                  kubernetes:
                    workloadRef: {apiVersion: apps/v1, kind: Deployment, name: blue-template}
                    port: 8080
                    targetPort: 9000
                    traffic: {service: {name: blue, previewName: blue-preview}}
              - name: mesh
                runtime:
                  kubernetes:
                    workloadRef: {name: mesh}
                    traffic:
                      istio:
                        virtualService: mesh
                        route: primary
                        stableHost: mesh-stable
                        canaryHost: mesh-canary
                        mirror: {percent: 50}
                strategy: {canary: {steps: [{setWeight: 10}]}}
              - name: plain
                runtime:
                  kubernetes:
                    workloadRef: {name: plain}
                    traffic: {replicas: {service: plain}}
                strategy: {rolling: {}}
            """,
            "sluice.yaml");
    RuntimeSpec.Kubernetes blue = (RuntimeSpec.Kubernetes) spec.app("blue").orElseThrow().runtime();
    assertThat(blue.namespace()).isEqualTo("default");
    assertThat(blue.workloadRef()).isEqualTo("blue-template");
    assertThat(blue.targetPort()).isEqualTo(9000);
    assertThat(blue.traffic()).isEqualTo(new KubernetesTraffic.Service("blue", "blue-preview"));
    assertThat(spec.app("blue").orElseThrow().listen())
        .isEqualTo(new HostPort("blue.default.svc", 8080));
    RuntimeSpec.Kubernetes mesh = (RuntimeSpec.Kubernetes) spec.app("mesh").orElseThrow().runtime();
    assertThat(mesh.traffic())
        .isEqualTo(
            new KubernetesTraffic.Istio(
                "mesh", "primary", "mesh-stable", "mesh-canary", List.of(), 50));
    assertThat(((RuntimeSpec.Kubernetes) spec.app("plain").orElseThrow().runtime()).traffic())
        .isEqualTo(new KubernetesTraffic.Replicas("plain"));
  }

  @Test
  void aServiceSwitchCannotCarryACanaryNorReplicasABlueGreen() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    runtime:
                      kubernetes:
                        workloadRef: {name: shop}
                        traffic: {service: {name: shop}}
                    strategy: {canary: {steps: [{setWeight: 10}]}}
                  - name: cart
                    runtime:
                      kubernetes:
                        workloadRef: {name: cart}
                        traffic: {replicas: {service: cart}}
                """))
        .containsExactly(
            "sluice.yaml:6:28: apps[0].runtime.kubernetes.traffic.service: service (a selector"
                + " switch) with a canary strategy (expected: strategy blueGreen with traffic"
                + " service; gatewayApi, istio or replicas for canary)",
            "sluice.yaml:12:29: apps[1].runtime.kubernetes.traffic.replicas: replicas (every ready"
                + " pod takes traffic) with a blueGreen strategy (expected: strategy canary or"
                + " rolling with traffic replicas; service, gatewayApi or istio for blueGreen)");
  }

  @Test
  void builtinMetricsMinRequestsAndPreviewListenAreRefusedOnKubernetes() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    runtime:
                      kubernetes:
                        workloadRef: {name: shop}
                        traffic: {istio: {virtualService: shop, stableHost: a, canaryHost: b}}
                    strategy:
                      canary:
                        steps:
                          - analysis:
                              minRequests: 20
                              metrics: [{name: errors, builtin: error_rate, max: 0.01}]
                  - name: cart
                    runtime:
                      kubernetes:
                        workloadRef: {name: cart}
                        traffic: {service: {name: cart}}
                    strategy: {blueGreen: {previewListen: 127.0.0.1:8081}}
                """))
        .containsExactly(
            "sluice.yaml:11:28: apps[0].strategy.canary.steps[0].analysis.minRequests: 20, but"
                + " minRequests counts requests through Sluice's router, which an app on"
                + " Kubernetes does not use (expected: no minRequests; guard the metric's query"
                + " against too little traffic instead)",
            "sluice.yaml:12:49: apps[0].strategy.canary.steps[0].analysis.metrics[0].builtin:"
                + " \"error_rate\", but builtin metrics come from Sluice's own router, which an"
                + " app on Kubernetes does not use (expected: a prometheus, http or command"
                + " metric)",
            "sluice.yaml:18:43: apps[1].strategy.blueGreen.previewListen: an address, for an app"
                + " on Kubernetes (expected: no previewListen: name a preview Service with"
                + " traffic.service.previewName)");
  }

  @Test
  void theTemplateAndTrafficAreChecked() {
    assertThat(
            problems(
                """
                apps:
                  - name: shop
                    runtime:
                      kubernetes:
                        namespace: Shop
                        deploymentTemplate:
                          metadata: {name: fixed}
                          spec: {containers: []}
                        workloadRef: {name: shop}
                        traffic: {gatewayApi: {httpRoute: shop, stableService: s, canaryService: s}}
                  - name: cart
                    runtime:
                      kubernetes:
                        deploymentTemplate: {spec: {containers: [{name: cart}]}}
                """))
        .containsExactly(
            "sluice.yaml:5:9: apps[0].runtime.kubernetes: both deploymentTemplate and workloadRef"
                + " (expected: exactly one of: deploymentTemplate (a pod template), workloadRef (a"
                + " Deployment to copy))",
            "sluice.yaml:5:20: apps[0].runtime.kubernetes.namespace: \"Shop\" (expected: a"
                + " namespace: a DNS label: lower-case letters, digits and '-', at most 63)",
            "sluice.yaml:10:82: apps[0].runtime.kubernetes.traffic.gatewayApi.canaryService: \"s\""
                + " (expected: a Service other than stableService)",
            "sluice.yaml:14:9: apps[1].runtime.kubernetes.traffic: missing (expected: exactly one"
                + " of: service, gatewayApi, istio, replicas)",
            "sluice.yaml:14:50: apps[1].runtime.kubernetes.deploymentTemplate.spec.containers[0]"
                + ".image: missing (expected: an image, e.g. ghcr.io/acme/shop:${version})");
  }

  @Test
  void edgeFlagsAreRefusedOnKubernetesWhereTheRouterCarriesNoTraffic() {
    assertThat(problems(CANARY + "    edgeFlags: {keys: [new-checkout]}\n"))
        .singleElement()
        .asString()
        .contains("apps[0].edgeFlags: edgeFlags on a kubernetes runtime (expected: edgeFlags only");
  }
}
