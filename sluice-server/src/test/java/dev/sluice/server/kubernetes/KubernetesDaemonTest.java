package dev.sluice.server.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.ReleasePhase;
import dev.sluice.core.spec.HostPort;
import dev.sluice.kubernetes.DeploymentControllerSimulator;
import dev.sluice.kubernetes.MockCluster;
import dev.sluice.kubernetes.Names;
import dev.sluice.kubernetes.release.internal.ReleaseResource;
import dev.sluice.server.Daemon;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon (store, controller, analyzer, API) with an app on Kubernetes. No Kubernetes API
 * server can run on the build machines, so the cluster is fabric8's mock API server in CRUD mode (a
 * real HTTP server the real client speaks the Kubernetes API to) and a simulated Deployment
 * controller writes pods and Deployment status; Prometheus is the real one (Debian's package).
 */
class KubernetesDaemonTest {
  static MockCluster cluster;
  static KubernetesClient client;
  private static final Duration WAIT = Duration.ofSeconds(30);

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void route(String ns) {
    client
        .resources(HTTPRoute.class)
        .inNamespace(ns)
        .resource(
            new HTTPRouteBuilder()
                .withNewMetadata()
                .withName("shop")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("public")
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withName("shop-stable")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build())
        .createOr(NonDeletingOperation::update);
  }

  private static Map<String, Integer> weights(String ns) {
    Map<String, Integer> out = new TreeMap<>();
    for (HTTPRouteRule r :
        client
            .resources(HTTPRoute.class)
            .inNamespace(ns)
            .withName("shop")
            .get()
            .getSpec()
            .getRules()) {
      r.getBackendRefs().forEach(b -> out.put(b.getName(), b.getWeight()));
    }
    return out;
  }

  private static Daemon daemon(Path dir, String ns, String strategy) throws Exception {
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(
        spec,
        """
        apps:
          - name: shop
            runtime:
              kubernetes:
                namespace: %s
                replicas: 2
                deploymentTemplate:
                  spec: {containers: [{name: shop, image: "acme/shop:${version}"}]}
                traffic:
                  gatewayApi: {httpRoute: shop, stableService: shop-stable, canaryService: shop-canary}
            strategy: %s
        """
            .formatted(ns, strategy));
    return Daemon.start(
        Daemon.Options.of(spec, dir.resolve("state"))
            .withApiListen(new HostPort("127.0.0.1", 0))
            .withKubernetes(KubernetesOptions.AUTO.withClient(client)));
  }

  private static AppState deploy(Daemon d, String version) throws Exception {
    return d.controller()
        .command("shop", (state, spec) -> Commands.deploy(state, spec, version, false, "test"))
        .get(10, TimeUnit.SECONDS);
  }

  private static ReleasePhase phase(Daemon d) {
    AppState s = d.controller().view("shop").state();
    return s.release() == null ? null : s.release().phase();
  }

  @Test
  void aCanaryIsRolledBackWhenItsPrometheusMetricFails(@TempDir Path dir) throws Exception {
    Path prometheusBinary = PrometheusProcess.require();
    route("prom");
    AtomicReference<String> metrics =
        new AtomicReference<>(
            "shop_error_ratio{version=\"v1\"} 0.001\nshop_error_ratio{version=\"v2\"} 0.35\n");
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext(
        "/metrics",
        ex -> {
          byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    exporter.start();
    try (PrometheusProcess prometheus =
            PrometheusProcess.start(
                prometheusBinary, dir.resolve("prometheus"), exporter.getAddress().getPort());
        DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "prom")) {
      // the first scrape has happened once the stable version's series answers
      await().atMost(WAIT).until(() -> prometheus.hasSeries("shop_error_ratio"));
      String strategy =
          """
          {canary: {steps: [{setWeight: 20}, {pause: {duration: 10m}}], analysis: {interval: 1s,
                failureLimit: 1, metrics: [{name: errors, max: 0.05, prometheus: {address: "%s",
                query: 'max(shop_error_ratio{version="{{version}}"})'}}]}}}"""
              .formatted(prometheus.url())
              .replace("\n", " ");
      try (Daemon d = daemon(dir, "prom", strategy)) {
        deploy(d, "v1");
        await().atMost(WAIT).until(() -> phase(d) == ReleasePhase.SUCCEEDED);
        await().atMost(WAIT).until(() -> weights("prom").get("shop-stable") == 100);

        deploy(d, "v2");
        // the canary takes 20% until the second failed measurement rolls it back
        await().atMost(WAIT).until(() -> phase(d) == ReleasePhase.ROLLED_BACK);
        AppState s = d.controller().view("shop").state();
        assertThat(s.release().reason()).startsWith("background analysis").contains("errors");
        assertThat(s.weights()).isEqualTo(Map.of("v1", 100));
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(weights("prom"))
                        .isEqualTo(Map.of("shop-stable", 100, "shop-canary", 0)));
        assertThat(
                client
                    .services()
                    .inNamespace("prom")
                    .withName("shop-stable")
                    .get()
                    .getSpec()
                    .getSelector())
            .containsEntry(Names.VERSION, "v1");
        assertThat(s.versions()).doesNotContainKey("v2");
      }
    } finally {
      exporter.stop(0);
    }
  }

  @Test
  void anAppliedReleaseIsDeployedAndItsStatusFollowsTheRelease(@TempDir Path dir) throws Exception {
    route("gitops");
    try (DeploymentControllerSimulator sim = DeploymentControllerSimulator.start(client, "gitops");
        Daemon d = daemon(dir, "gitops", "{canary: {steps: [{setWeight: 50}, {pause: {}}]}}")) {
      apply("gitops", "shop-v1", "v1");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                ReleaseResource.Status s = status("gitops", "shop-v1");
                assertThat(s.getPhase()).isEqualTo("Succeeded");
                assertThat(s.getObservedGeneration()).isEqualTo(1L);
                assertThat(s.getWeights()).isEqualTo(Map.of("v1", 100));
              });
      apply("gitops", "shop-v2", "v2");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                ReleaseResource.Status s = status("gitops", "shop-v2");
                assertThat(s.getPhase()).isEqualTo("Paused");
                assertThat(s.getWeights()).isEqualTo(Map.of("v1", 50, "v2", 50));
                assertThat(s.getRevision()).isEqualTo(2);
                assertThat(s.getMessage()).contains("sluice promote shop");
              });
      assertThat(d.controller().view("shop").state().release().version()).isEqualTo("v2");
      // the first Release stays as it ended
      assertThat(status("gitops", "shop-v1").getPhase()).isEqualTo("Succeeded");
    }
  }

  private static void apply(String ns, String name, String version) {
    ReleaseResource r = new ReleaseResource();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(ns);
    ReleaseResource.Spec spec = new ReleaseResource.Spec();
    spec.setApp("shop");
    spec.setVersion(version);
    r.setSpec(spec);
    client.resources(ReleaseResource.class).inNamespace(ns).resource(r).create();
  }

  private static ReleaseResource.Status status(String ns, String name) {
    ReleaseResource r =
        client.resources(ReleaseResource.class).inNamespace(ns).withName(name).get();
    return r.getStatus() == null ? new ReleaseResource.Status() : r.getStatus();
  }
}
