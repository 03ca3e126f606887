package dev.sluice.server.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.CommandException;
import dev.sluice.core.release.Commands;
import dev.sluice.core.release.ReleasePhase;
import dev.sluice.core.spec.Spec;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.kubernetes.DeploymentControllerSimulator;
import dev.sluice.kubernetes.KubernetesPlatform;
import dev.sluice.kubernetes.MockCluster;
import dev.sluice.kubernetes.Names;
import dev.sluice.kubernetes.lease.LeaseElection;
import dev.sluice.router.Router;
import dev.sluice.router.RouterOptions;
import dev.sluice.server.analysis.Analyzer;
import dev.sluice.server.control.Controller;
import dev.sluice.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers sharing one store (as two Sluice pods share a database) elect a leader on a
 * Lease: only the leader decides and takes commands; when it stops, the other one leads from the
 * log the first one wrote. The Lease and the app's Deployments live in fabric8's mock API server in
 * CRUD mode, since no real API server can run on the build machines; a simulated Deployment
 * controller writes pods and status.
 */
class LeaderHandoverTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final LeaseElection.Timing FAST =
      new LeaseElection.Timing(
          Duration.ofMillis(3000), Duration.ofMillis(2000), Duration.ofMillis(250));

  private static final String SPEC =
      """
      apps:
        - name: shop
          runtime:
            kubernetes:
              namespace: ha
              deploymentTemplate: {spec: {containers: [{name: shop, image: "acme/shop:${version}"}]}}
              traffic: {service: {name: shop}}
      """;

  private static Controller controller(
      Spec spec, Store store, Path dir, Router router, KubernetesClient client, LeaseElection e) {
    Clock clock = Clock.systemUTC();
    return new Controller(
        spec,
        new Controller.Parts(
            store,
            dir,
            dir.resolve("logs"),
            Analyzer.create(router.metrics(), dir),
            clock,
            new LeaseLeadership(e)),
        (specs, thread) -> KubernetesPlatform.create(client, specs, clock));
  }

  private static AppState deploy(Controller c, String version) throws Exception {
    return c.command("shop", (state, spec) -> Commands.deploy(state, spec, version, false, "test"))
        .get(10, TimeUnit.SECONDS);
  }

  private static ReleasePhase phase(Controller c) {
    AppState s = c.view("shop").state();
    return s.release() == null ? null : s.release().phase();
  }

  @Test
  void onlyTheLeaderDecidesAndTheFollowerTakesOverFromTheLog(@TempDir Path dir) throws Exception {
    Spec spec = SpecParser.parse(SPEC, "sluice.yaml");
    try (MockCluster cluster = MockCluster.start();
        KubernetesClient ca = cluster.newClient();
        KubernetesClient cb = cluster.newClient();
        DeploymentControllerSimulator sim =
            DeploymentControllerSimulator.start(cluster.client(), "ha");
        Store store = Store.sqlite(dir.resolve("sluice.db"));
        Router router = Router.create(RouterOptions.defaults());
        LeaseElection ea = LeaseElection.start(ca, "ha", "sluice", "sluice-a", FAST)) {
      await().atMost(WAIT).until(ea::isLeader);
      try (LeaseElection eb = LeaseElection.start(cb, "ha", "sluice", "sluice-b", FAST);
          Controller a = controller(spec, store, dir, router, ca, ea);
          Controller b = controller(spec, store, dir, router, cb, eb)) {
        a.start();
        b.start();
        deploy(a, "v1");
        await().atMost(WAIT).until(() -> phase(a) == ReleasePhase.SUCCEEDED);
        await().atMost(WAIT).until(() -> "sluice-a".equals(eb.leader()));
        assertThatThrownBy(() -> deploy(b, "v2"))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(CommandException.class)
            .hasMessage(
                "this Sluice instance is a follower; sluice-a leads: send commands to the leader");
        // the follower re-reads the log for its API now and then
        await().atMost(WAIT).until(() -> phase(b) == ReleasePhase.SUCCEEDED);

        ea.close(); // the leader's pod stops: it releases the Lease
        await().atMost(WAIT).until(eb::isLeader);
        AppState started = deploy(b, "v2");
        assertThat(started.release().revision()).isEqualTo(2);
        assertThat(started.release().from()).isEqualTo("v1");
        await().atMost(WAIT).until(() -> phase(b) == ReleasePhase.SUCCEEDED);
        assertThat(b.view("shop").state().weights()).isEqualTo(Map.of("v2", 100));
        await()
            .atMost(WAIT)
            .until(
                () ->
                    "v2"
                        .equals(
                            cluster
                                .client()
                                .services()
                                .inNamespace("ha")
                                .withName("shop")
                                .get()
                                .getSpec()
                                .getSelector()
                                .get(Names.VERSION)));
        assertThatThrownBy(() -> deploy(a, "v3"))
            .cause()
            .isInstanceOf(CommandException.class)
            .hasMessageContaining("follower");
      }
    }
  }
}
