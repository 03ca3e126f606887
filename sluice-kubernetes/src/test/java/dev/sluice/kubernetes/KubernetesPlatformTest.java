package dev.sluice.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.release.ReleasePhase;
import dev.sluice.runtime.platform.ReplicaView;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes platform under the real release strategies. No Kubernetes API server can run on
 * the build machines, so these run against fabric8's mock server in CRUD mode (a real HTTP server
 * that stores objects and serves watches, spoken to by the real client), and {@link
 * DeploymentControllerSimulator} plays the Deployment controller and kubelet by writing pods and
 * Deployment status.
 */
class KubernetesPlatformTest {
  static MockCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final ResourceDefinitionContext VIRTUAL_SERVICE =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  private static String app(String name, String traffic, String strategy) {
    return """
        apps:
          - name: %s
            runtime:
              kubernetes:
                namespace: %s
                replicas: 4
                deploymentTemplate:
                  spec:
                    containers:
                      - name: web
                        image: "ghcr.io/acme/shop:${version}"
                        ports: [{containerPort: 8080}]
                traffic: %s
            strategy: %s
        """
        .formatted(name, name, traffic, strategy);
  }

  private static Map<String, String> selector(String namespace, String service) {
    Service s = client.services().inNamespace(namespace).withName(service).get();
    return s == null ? Map.of() : s.getSpec().getSelector();
  }

  private static Deployment deployment(String namespace, String app, String version) {
    return client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withName(Names.deployment(app, version))
        .get();
  }

  private static void awaitPhase(DecisionLoop loop, ReleasePhase phase) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(loop.state().release()).isNotNull();
              assertThat(loop.state().release().phase())
                  .as("events so far: %s", loop.events())
                  .isEqualTo(phase);
            });
  }

  @Test
  void blueGreenSwitchesTheServiceSelectorAfterPreviewingTheNewVersion() throws Exception {
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "blue");
        DecisionLoop loop =
            DecisionLoop.start(
                client,
                app(
                    "blue",
                    "{service: {name: blue, previewName: blue-preview}}",
                    "{blueGreen: {autoPromote: false, scaleDownDelay: 0s}}"))) {
      loop.deploy("v1");
      awaitPhase(loop, ReleasePhase.PAUSED);
      loop.promote();
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await().atMost(WAIT).until(() -> "v1".equals(selector("blue", "blue").get(Names.VERSION)));
      Deployment v1 = deployment("blue", "blue", "v1");
      assertThat(v1.getMetadata().getLabels())
          .containsEntry(Names.ROLE, "stable")
          .containsEntry(Names.APP, "blue");
      assertThat(v1.getMetadata().getAnnotations()).containsEntry(Names.VERSION, "v1");
      assertThat(v1.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo("ghcr.io/acme/shop:v1");
      assertThat(v1.getSpec().getReplicas()).isEqualTo(4);
      Service main = client.services().inNamespace("blue").withName("blue").get();
      assertThat(main.getSpec().getPorts().get(0).getTargetPort().getIntVal()).isEqualTo(8080);

      loop.deploy("v2");
      awaitPhase(loop, ReleasePhase.PAUSED);
      // before the switch: users on v1, the preview Service on the new version, hooks reach it
      assertThat(selector("blue", "blue")).containsEntry(Names.VERSION, "v1");
      await()
          .atMost(WAIT)
          .until(() -> "v2".equals(selector("blue", "blue-preview").get(Names.VERSION)));
      assertThat(loop.platform().baseUrl(loop.state(), "v2"))
          .isEqualTo("http://blue-preview.blue.svc:80");
      assertThat(deployment("blue", "blue", "v2").getMetadata().getLabels())
          .containsEntry(Names.ROLE, "preview");
      List<ReplicaView> pods = loop.platform().replicas(loop.state(), "v2");
      assertThat(pods).hasSize(4).allMatch(ReplicaView::healthy);
      assertThat(pods.get(0).state()).startsWith(Names.deployment("blue", "v2")).endsWith("ready");

      loop.promote();
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await().atMost(WAIT).until(() -> "v2".equals(selector("blue", "blue").get(Names.VERSION)));
      // the old version's Deployment goes once it is out of the state (scaleDownDelay 0s)
      await().atMost(WAIT).until(() -> deployment("blue", "blue", "v1") == null);
      assertThat(loop.platform().listenAddress("blue").getHostString()).isEqualTo("blue.blue.svc");
      assertThat(loop.platform().previewAddress("blue").getHostString())
          .isEqualTo("blue-preview.blue.svc");
    }
  }

  @Test
  void canaryMovesWeightsOnTheHttpRouteAndAddsHeaderRulesWhileItRuns() throws Exception {
    client
        .resources(HTTPRoute.class)
        .inNamespace("gw")
        .resource(
            new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("gw")
                .withNamespace("gw")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("public")
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewPath("PathPrefix", "/shop")
                .endMatch()
                .addNewBackendRef()
                .withName("gw-stable")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build())
        .createOr(NonDeletingOperation::update);
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "gw");
        DecisionLoop loop =
            DecisionLoop.start(
                client,
                app(
                    "gw",
                    "{gatewayApi: {httpRoute: gw, stableService: gw-stable, canaryService:"
                        + " gw-canary, match: [{header: {name: x-canary, value: 'true'}}]}}",
                    "{canary: {steps: [{setWeight: 25}, {pause: {}}], scaleDownDelay: 0s}}"))) {
      loop.deploy("v1");
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await()
          .atMost(WAIT)
          .until(() -> weights("gw").equals(Map.of("gw-stable", 100, "gw-canary", 0)));
      assertThat(selector("gw", "gw-stable")).containsEntry(Names.VERSION, "v1");

      loop.deploy("v2");
      awaitPhase(loop, ReleasePhase.PAUSED);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(weights("gw")).isEqualTo(Map.of("gw-stable", 75, "gw-canary", 25)));
      assertThat(selector("gw", "gw-canary")).containsEntry(Names.VERSION, "v2");
      assertThat(selector("gw", "gw-stable")).containsEntry(Names.VERSION, "v1");
      // 4 replicas at weight 25: one canary pod beside the full stable version
      assertThat(deployment("gw", "gw", "v2").getSpec().getReplicas()).isEqualTo(1);
      assertThat(deployment("gw", "gw", "v1").getSpec().getReplicas()).isEqualTo(4);
      List<HTTPRouteRule> rules = route("gw").getSpec().getRules();
      assertThat(rules).hasSize(2);
      HTTPRouteRule header = rules.get(0);
      assertThat(header.getName()).isEqualTo("sluice-match-1");
      assertThat(header.getMatches().get(0).getPath().getValue()).isEqualTo("/shop");
      assertThat(header.getMatches().get(0).getHeaders().get(0).getName()).isEqualTo("x-canary");
      assertThat(header.getBackendRefs())
          .extracting(HTTPBackendRef::getName)
          .containsExactly("gw-canary");
      assertThat(loop.platform().baseUrl(loop.state(), "v2"))
          .isEqualTo("http://gw-canary.gw.svc:80");

      loop.promote();
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(weights("gw")).isEqualTo(Map.of("gw-stable", 100, "gw-canary", 0));
                assertThat(selector("gw", "gw-stable")).containsEntry(Names.VERSION, "v2");
                assertThat(route("gw").getSpec().getRules()).hasSize(1);
              });
      await().atMost(WAIT).until(() -> deployment("gw", "gw", "v1") == null);
    }
  }

  private static HTTPRoute route(String namespace) {
    return client.resources(HTTPRoute.class).inNamespace(namespace).withName(namespace).get();
  }

  /** The weights of the backendRefs of the route's rule that is not Sluice's. */
  private static Map<String, Integer> weights(String namespace) {
    Map<String, Integer> out = new TreeMap<>();
    for (HTTPRouteRule r : route(namespace).getSpec().getRules()) {
      if (r.getName() == null) {
        r.getBackendRefs().forEach(b -> out.put(b.getName(), b.getWeight()));
      }
    }
    return out;
  }

  @Test
  void canaryMovesWeightsOnTheVirtualServiceAndMirrorsBeforeItsFirstWeight() throws Exception {
    GenericKubernetesResource vs =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: mesh, namespace: mesh}
                spec:
                  hosts: [mesh.example.com]
                  http:
                    - name: primary
                      match: [{uri: {prefix: /}}]
                      route:
                        - destination: {host: mesh-stable, port: {number: 80}}
                          weight: 100
                """,
                GenericKubernetesResource.class);
    client
        .genericKubernetesResources(VIRTUAL_SERVICE)
        .inNamespace("mesh")
        .resource(vs)
        .createOr(NonDeletingOperation::update);
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "mesh");
        DecisionLoop loop =
            DecisionLoop.start(
                client,
                app(
                    "mesh",
                    "{istio: {virtualService: mesh, route: primary, stableHost: mesh-stable,"
                        + " canaryHost: mesh-canary, mirror: {percent: 20},"
                        + " match: [{cookie: {name: canary, value: always}}]}}",
                    "{canary: {steps: [{setWeight: 0}, {pause: {}}, {setWeight: 40}, {pause: {}}],"
                        + " scaleDownDelay: 0s}}"))) {
      loop.deploy("v1");
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      loop.deploy("v2");
      awaitPhase(loop, ReleasePhase.PAUSED);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Map<String, Object> primary = primaryRoute();
                assertThat(destinations(primary))
                    .isEqualTo(Map.of("mesh-stable", 100, "mesh-canary", 0));
                assertThat(primary.get("mirror"))
                    .isEqualTo(Map.of("host", "mesh-canary", "port", Map.of("number", 80)));
                assertThat(primary.get("mirrorPercentage")).isEqualTo(Map.of("value", 20.0));
              });
      loop.promote();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(loop.state().release().step()).isEqualTo(3);
                Map<String, Object> primary = primaryRoute();
                assertThat(destinations(primary))
                    .isEqualTo(Map.of("mesh-stable", 60, "mesh-canary", 40));
                assertThat(primary).doesNotContainKeys("mirror", "mirrorPercentage");
              });
      List<Map<String, Object>> http = http();
      assertThat(http).hasSize(2);
      assertThat(http.get(0).get("name")).isEqualTo("sluice-match-1");
      assertThat(http.get(0).get("match").toString())
          .contains("prefix=/")
          .contains("cookie={regex=(^|.*;\\s*)canary=always(;.*|$)}");

      loop.promote();
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                assertThat(destinations(primaryRoute()))
                    .isEqualTo(Map.of("mesh-stable", 100, "mesh-canary", 0));
                assertThat(selector("mesh", "mesh-stable")).containsEntry(Names.VERSION, "v2");
                assertThat(http()).hasSize(1);
              });
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> http() {
    GenericKubernetesResource vs =
        client
            .genericKubernetesResources(VIRTUAL_SERVICE)
            .inNamespace("mesh")
            .withName("mesh")
            .get();
    return (List<Map<String, Object>>)
        ((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("http");
  }

  private static Map<String, Object> primaryRoute() {
    return http().stream().filter(r -> "primary".equals(r.get("name"))).findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Integer> destinations(Map<String, Object> route) {
    Map<String, Integer> out = new TreeMap<>();
    for (Object o : (List<Object>) route.get("route")) {
      Map<String, Object> d = (Map<String, Object>) o;
      out.put(
          (String) ((Map<String, Object>) d.get("destination")).get("host"),
          ((Number) d.get("weight")).intValue());
    }
    return out;
  }

  @Test
  void withoutAMeshTheCanaryWeightIsTheRatioOfReplicasBehindOneService() throws Exception {
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "plain");
        DecisionLoop loop =
            DecisionLoop.start(
                client,
                app(
                    "plain",
                    "{replicas: {service: plain}}",
                    "{canary: {steps: [{setWeight: 25}, {pause: {}}, {setWeight: 50}, {pause: {}}],"
                        + " scaleDownDelay: 0s}}"))) {
      loop.deploy("v1");
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      // one Service over every version's pods
      await()
          .atMost(WAIT)
          .until(() -> selector("plain", "plain").equals(Map.of(Names.APP, "plain")));

      loop.deploy("v2");
      awaitPhase(loop, ReleasePhase.PAUSED);
      Supplier<Map<String, Integer>> pods =
          () ->
              Map.of(
                  "v1", readyPods("plain", "v1"),
                  "v2", readyPods("plain", "v2"));
      // 25% of 4 replicas: 1 canary pod, and the stable version gives one up
      await().atMost(WAIT).until(() -> pods.get().equals(Map.of("v1", 3, "v2", 1)));
      loop.promote();
      await().atMost(WAIT).until(() -> pods.get().equals(Map.of("v1", 2, "v2", 2)));
      await().atMost(WAIT).until(() -> loop.state().release().phase() == ReleasePhase.PAUSED);
      loop.promote();
      awaitPhase(loop, ReleasePhase.SUCCEEDED);
      await().atMost(WAIT).until(() -> deployment("plain", "plain", "v1") == null);
      assertThat(readyPods("plain", "v2")).isEqualTo(4);
      // no Service of its own: hooks reach the version through one of its pods
      assertThat(loop.platform().baseUrl(loop.state(), "v2"))
          .matches("http://10\\.0\\.0\\.\\d+:8080");
    }
  }

  private static int readyPods(String namespace, String version) {
    return (int)
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Names.VERSION, version)
            .list()
            .getItems()
            .stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .count();
  }

  @Test
  void aVersionWhosePodsCrashIsReportedAndFailsAtTheProgressDeadline() throws Exception {
    String yaml =
        app("crash", "{service: {name: crash}}", "{blueGreen: {}}") + "    progressDeadline: 5s\n";
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "crash");
        DecisionLoop loop = DecisionLoop.start(client, yaml)) {
      sim.crashing(Names.deployment("crash", "v1"));
      loop.deploy("v1");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          loop.platform()
                              .health(loop.state())
                              .getOrDefault("v1", VersionHealth.NONE)
                              .detail())
                      .as("events: %s; simulator: %s", loop.events(), sim.lastError())
                      .contains(
                          "pod "
                              + Names.deployment("crash", "v1")
                              + "-0: web waiting:"
                              + " CrashLoopBackOff (back-off 40s restarting failed container)"));
      assertThat(deployment("crash", "crash", "v1").getSpec().getProgressDeadlineSeconds())
          .isEqualTo(5);
      awaitPhase(loop, ReleasePhase.FAILED);
      assertThat(loop.state().release().reason())
          .startsWith("v1 was not healthy within progressDeadline 5s: 0 of 4 replicas healthy")
          .contains("CrashLoopBackOff");
      // a failed first release leaves nothing running
      await().atMost(WAIT).until(() -> deployment("crash", "crash", "v1") == null);
    }
  }
}
