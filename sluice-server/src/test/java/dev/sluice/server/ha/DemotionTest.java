package dev.sluice.server.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.event.Event;
import dev.sluice.core.release.AppState;
import dev.sluice.store.Lease;
import dev.sluice.store.LeaseLostException;
import dev.sluice.store.Store;
import dev.sluice.store.testing.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that another process took the lead from (as after a pause longer than its lease) stops
 * deciding and stops, and an append with its old fencing token changes nothing.
 */
class DemotionTest {
  @TempDir Path dir;

  @Test
  void aLeaderWhoseLeaseWasTakenStopsAndItsOldTokenWritesNothing() throws Exception {
    try (PostgresServer pg = PostgresServer.start()) {
      String url = pg.url(pg.createDatabase());
      try (SharedDaemon a = SharedDaemon.start(dir, "a", url, Duration.ofSeconds(2), null);
          Store other = Store.open(url, dir)) {
        assertThat(a.deploy("v1").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> StoreFailureTest.done(a.app()));
        Lease old = other.lease(StoreLeadership.LEASE).orElseThrow();

        // another process takes the lease, as it may once this one was paused past its lease
        other.releaseLease(old);
        Lease taken =
            other.acquireLease(
                StoreLeadership.LEASE, "intruder", "http://x", Duration.ofMinutes(1));
        assertThat(taken.epoch()).isEqualTo(old.epoch() + 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> a.daemon.lostLead());
        long last = other.lastSeq("shop");
        AppState state = AppState.replay("shop", other.events("shop"));
        Assertions.assertThatThrownBy(
                () ->
                    other.append(
                        state.next(List.of(new Event.Paused("late")), java.time.Instant.now()),
                        null,
                        old))
            .isInstanceOf(LeaseLostException.class);
        assertThat(other.lastSeq("shop")).isEqualTo(last);
      } finally {
        Replicas.killAll(url);
      }
    }
  }
}
