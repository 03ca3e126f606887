package dev.sluice.kubernetes.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.kubernetes.MockCluster;
import dev.sluice.kubernetes.release.internal.ReleaseResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Release custom resources in fabric8's mock API server (CRUD mode: no real API server can run on
 * the build machines), watched by a {@link ReleaseWatcher} whose commands are recorded here; the
 * tests in sluice-server drive the real controller with them.
 */
class ReleaseWatcherTest {
  static MockCluster cluster;
  static KubernetesClient client;
  private static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ReleaseResource release(String ns, String name, String app, String version) {
    ReleaseResource r = new ReleaseResource();
    r.getMetadata().setName(name);
    r.getMetadata().setNamespace(ns);
    ReleaseResource.Spec spec = new ReleaseResource.Spec();
    spec.setApp(app);
    spec.setVersion(version);
    r.setSpec(spec);
    return r;
  }

  private static ReleaseResource.Status status(String ns, String name) {
    ReleaseResource r =
        client.resources(ReleaseResource.class).inNamespace(ns).withName(name).get();
    return r == null || r.getStatus() == null ? new ReleaseResource.Status() : r.getStatus();
  }

  @Test
  void anAppliedReleaseDeploysOnceAndItsStatusFollowsTheRelease() {
    List<String> deploys = new CopyOnWriteArrayList<>();
    ReleaseCommands commands =
        (app, version) -> {
          deploys.add(app + "@" + version);
          return CompletableFuture.completedFuture(
              new ReleaseStatus("Progressing", version, 7, Map.of("v1", 100), "step 1 of 3"));
        };
    try (ReleaseWatcher watcher =
        ReleaseWatcher.start(client, List.of("shop"), commands, () -> true)) {
      client
          .resources(ReleaseResource.class)
          .inNamespace("shop")
          .resource(release("shop", "shop-v2", "shop", "v2"))
          .create();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                ReleaseResource.Status s = status("shop", "shop-v2");
                assertThat(s.getPhase()).isEqualTo("Progressing");
                assertThat(s.getObservedGeneration()).isEqualTo(1L);
                assertThat(s.getRevision()).isEqualTo(7);
                assertThat(s.getMessage()).isEqualTo("step 1 of 3");
              });
      assertThat(deploys).containsExactly("shop@v2");

      watcher.publish(
          "shop", new ReleaseStatus("Progressing", "v2", 7, Map.of("v1", 75, "v2", 25), "step 2"));
      await()
          .atMost(WAIT)
          .until(() -> status("shop", "shop-v2").getWeights().equals(Map.of("v1", 75, "v2", 25)));
      watcher.publish(
          "shop", new ReleaseStatus("RolledBack", "v2", 7, Map.of("v1", 100), "analysis failed"));
      await().atMost(WAIT).until(() -> "RolledBack".equals(status("shop", "shop-v2").getPhase()));
      assertThat(status("shop", "shop-v2").getMessage()).isEqualTo("analysis failed");
      // status writes and re-lists do not deploy again: the generation was observed
      watcher.rescan();
      assertThat(deploys).containsExactly("shop@v2");
    }
  }

  @Test
  void aRefusedDeployIsWrittenToTheStatus() {
    ReleaseCommands commands =
        (app, version) ->
            CompletableFuture.failedFuture(new IllegalStateException("no app named " + app));
    try (ReleaseWatcher watcher =
        ReleaseWatcher.start(client, List.of("refused"), commands, () -> true)) {
      client
          .resources(ReleaseResource.class)
          .inNamespace("refused")
          .resource(release("refused", "nope", "nope", "v1"))
          .create();
      await().atMost(WAIT).until(() -> "Refused".equals(status("refused", "nope").getPhase()));
      assertThat(status("refused", "nope").getMessage()).isEqualTo("no app named nope");
    }
  }

  @Test
  void aFollowerOnlyWatchesUntilItLeads() {
    AtomicBoolean leading = new AtomicBoolean(false);
    List<String> deploys = new CopyOnWriteArrayList<>();
    ReleaseCommands commands =
        (app, version) -> {
          deploys.add(version);
          return CompletableFuture.completedFuture(
              new ReleaseStatus("Progressing", version, 1, Map.of(), ""));
        };
    try (ReleaseWatcher watcher =
        ReleaseWatcher.start(client, List.of("follow"), commands, leading::get)) {
      client
          .resources(ReleaseResource.class)
          .inNamespace("follow")
          .resource(release("follow", "cart-v3", "cart", "v3"))
          .create();
      await().atMost(WAIT).until(() -> watcher.watched() == 1);
      assertThat(deploys).isEmpty();
      leading.set(true);
      watcher.rescan();
      await()
          .atMost(WAIT)
          .until(() -> "Progressing".equals(status("follow", "cart-v3").getPhase()));
      assertThat(deploys).containsExactly("v3");
    }
  }
}
