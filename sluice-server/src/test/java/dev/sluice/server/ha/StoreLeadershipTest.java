package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.store.Lease;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader election over the store's lease (an SQLite store here: the lease rules are the same). */
class StoreLeadershipTest {
  @TempDir Path dir;
  private Store store;

  private Store store() {
    store = Store.sqlite(dir.resolve("sluice.db"));
    return store;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void aLoneCandidateLeadsAndFencesWithItsLease() {
    try (StoreLeadership a =
        StoreLeadership.start(
            store(),
            "a",
            () -> "http://a",
            Duration.ofMinutes(1),
            () -> {},
            System::nanoTime,
            true)) {
      await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
      Lease fence = a.fence();
      assertThat(fence).isNotNull();
      assertThat(fence.holder()).isEqualTo("a");
      assertThat(fence.epoch()).isEqualTo(1);
      assertThat(a.leader()).isEqualTo("http://a");
      assertThat(a.problem()).isNull();
    }
  }

  @Test
  void aSecondCandidateFollowsAndNamesTheLeader() {
    Store s = store();
    try (StoreLeadership a =
            StoreLeadership.start(s, "a", () -> "http://a", Duration.ofMinutes(1), () -> {});
        StoreLeadership b =
            StoreLeadership.start(s, "b", () -> "http://b", Duration.ofMinutes(1), () -> {})) {
      await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
      await().atMost(Duration.ofSeconds(5)).until(() -> "http://a".equals(b.leader()));
      assertThat(b.isLeader()).isFalse();
      assertThat(b.fence()).isNull();
    }
  }

  @Test
  void aLeaderStopsBelievingItLeadsBeforeItsLeaseCanExpireWithoutARenewal() {
    AtomicLong nanos = new AtomicLong();
    Duration ttl = Duration.ofMinutes(1);
    try (StoreLeadership a =
        StoreLeadership.start(store(), "a", () -> null, ttl, () -> {}, nanos::get, true)) {
      await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
      // no renewal happens in between: the next round is 12 s away in real time
      nanos.set(Duration.ofSeconds(47).toNanos());
      assertThat(a.isLeader()).isTrue();
      nanos.set(Duration.ofSeconds(48).toNanos());
      assertThat(a.isLeader()).as("ttl - ttl/5 after the renewal began").isFalse();
      assertThat(a.fence()).isNull();
    }
  }

  @Test
  void aLeaderWhoseLeaseAnotherTookIsToldOnce() {
    Store s = store();
    AtomicInteger lost = new AtomicInteger();
    try (StoreLeadership a =
        StoreLeadership.start(s, "a", () -> null, Duration.ofMillis(500), lost::incrementAndGet)) {
      await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
      // another process takes the lease, as one does after this one was paused past its lease
      Lease mine = s.lease(StoreLeadership.LEASE).orElseThrow();
      s.releaseLease(mine);
      assertThat(
              s.acquireLease(StoreLeadership.LEASE, "b", "http://b", Duration.ofMinutes(1)).epoch())
          .isEqualTo(2);
      await().atMost(Duration.ofSeconds(5)).until(() -> lost.get() == 1);
      assertThat(a.isLeader()).isFalse();
      assertThat(a.leader()).isEqualTo("http://b");
      await().during(Duration.ofMillis(500)).until(() -> lost.get() == 1);
    }
  }

  @Test
  void aStoreThatCannotBeReachedIsAProblemAndNoLead() throws Exception {
    Store s = store();
    try (StoreLeadership a =
        StoreLeadership.start(s, "a", () -> null, Duration.ofMillis(500), () -> {})) {
      await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
      s.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> a.problem() != null);
      assertThat(a.problem())
          .startsWith("cannot acquire lease leader in the SQLite store sluice.db");
      await().atMost(Duration.ofSeconds(5)).until(() -> !a.isLeader());
    }
    store = null;
  }

  @Test
  void anObserverNeverLeads() {
    Store s = store();
    try (StoreLeadership r = StoreLeadership.observe(s, Duration.ofMillis(500))) {
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> !r.isLeader());
      assertThat(s.lease(StoreLeadership.LEASE)).isEmpty();
    }
  }

  @Test
  void listenOverridesReplaceAnAppsAddressAndRefuseUnknownApps() throws Exception {
    dev.sluice.core.spec.Spec spec =
        dev.sluice.core.spec.SpecParser.parse(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:8080
                runtime: {process: {command: [app, "${version}"]}}
            """,
            "sluice.yaml");
    SharingOptions o =
        SharingOptions.NONE.withAppListen(
            java.util.Map.of("shop", new dev.sluice.core.spec.HostPort("127.0.0.1", 18081)));
    assertThat(o.apply(spec).apps().get(0).listen().port()).isEqualTo(18081);
    SharingOptions bad =
        SharingOptions.NONE.withAppListen(
            java.util.Map.of("cart", new dev.sluice.core.spec.HostPort("127.0.0.1", 1)));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bad.apply(spec))
        .hasMessage("--app-listen: no app named cart in the spec (apps: shop)");
  }
}
