package dev.sluice.kubernetes.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.kubernetes.MockCluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Leader election between two Sluice instances on one Lease. The Lease lives in fabric8's mock API
 * server in CRUD mode (no real API server can run on the build machines); each instance has its own
 * client, as two pods would.
 */
class LeaseElectionTest {
  static MockCluster cluster;

  /** Short enough for a test, long enough for a slow machine to renew in time. */
  private static final LeaseElection.Timing FAST =
      new LeaseElection.Timing(
          Duration.ofMillis(3000), Duration.ofMillis(2000), Duration.ofMillis(250));

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void oneLeadsAndTheOtherTakesOverWhenTheLeaderStops() {
    try (KubernetesClient ca = cluster.newClient();
        KubernetesClient cb = cluster.newClient();
        LeaseElection a = LeaseElection.start(ca, "sluice", "handover", "sluice-a", FAST)) {
      await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
      try (LeaseElection b = LeaseElection.start(cb, "sluice", "handover", "sluice-b", FAST)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> "sluice-a".equals(b.leader()));
        assertThat(b.isLeader()).isFalse();
        Lease lease = cluster.client().leases().inNamespace("sluice").withName("handover").get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("sluice-a");

        a.close(); // a rolling update stops the old pod: it releases the Lease
        assertThat(a.isLeader()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(b::isLeader);
        assertThat(b.leader()).isEqualTo("sluice-b");
        assertThat(
                cluster
                    .client()
                    .leases()
                    .inNamespace("sluice")
                    .withName("handover")
                    .get()
                    .getSpec()
                    .getHolderIdentity())
            .isEqualTo("sluice-b");
      }
    }
  }

  @Test
  void aLeaderThatStopsRenewingWithoutReleasingLosesTheLeaseOnceItExpires() {
    KubernetesClient ca = cluster.newClient();
    try (KubernetesClient cb = cluster.newClient();
        LeaseElection a = LeaseElection.start(ca, "sluice", "crash", "sluice-a", FAST)) {
      await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
      try (LeaseElection b = LeaseElection.start(cb, "sluice", "crash", "sluice-b", FAST)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> "sluice-a".equals(b.leader()));
        // As a killed pod: a's client (and the executor its elector runs on) is gone, so a
        // neither renews nor releases the Lease; b takes it once leaseDuration has passed.
        ca.close();
        await().atMost(Duration.ofSeconds(15)).until(b::isLeader);
        assertThat(b.leader()).isEqualTo("sluice-b");
      }
    }
  }
}
