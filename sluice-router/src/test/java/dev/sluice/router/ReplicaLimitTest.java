package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.PromText;
import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connection and pending limits per replica (see {@link ListenerOptions}). */
class ReplicaLimitTest {

  private TestUpstream upstream;
  private Router router;

  @BeforeEach
  void start() {
    upstream = TestUpstream.start("v1-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
  }

  @AfterEach
  void stop() {
    router.close();
    upstream.close();
  }

  private void awaitInFlight(int n) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> PromText.sum(router, "sluice_requests_in_flight{app=\"shop\"") == n);
  }

  @Test
  void overTheConnectionAndPendingLimitsGets503AtOnceAndTheWaitingRequestProceeds()
      throws Exception {
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withConnectTimeout(Duration.ofSeconds(10))
                .withMaxConnectionsPerReplica(1)
                .withMaxPendingPerReplica(1));
    l.update(Fixtures.single("v1", upstream));
    try (RawHttp first = new RawHttp(l.address());
        RawHttp second = new RawHttp(l.address());
        RawHttp third = new RawHttp(l.address())) {
      first.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: a\r\n\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests.get() == 1);
      second.send("GET /slow?ms=10 HTTP/1.1\r\nHost: a\r\n\r\n");
      awaitInFlight(2);
      long t0 = System.nanoTime();
      RawHttp.Response over = third.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      long overMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(over.status()).isEqualTo(503);
      assertThat(over.body())
          .isEqualTo("503 Service Unavailable: replica connection limit reached\n");
      // Answered without waiting for the slow request to free its slot.
      assertThat(overMillis).isLessThan(1000);
      // The waiting request went upstream only once the first one ended.
      assertThat(upstream.requests.get()).isEqualTo(1);
      assertThat(first.read().status()).isEqualTo(200);
      assertThat(second.read().status()).isEqualTo(200);
      assertThat(upstream.requests.get()).isEqualTo(2);
    }
    assertThat(PromText.sum(router, "sluice_replica_limit_rejections_total{app=\"shop\""))
        .isEqualTo(1);
  }

  @Test
  void aPendingRequestWaitsAtMostTheConnectTimeout() throws Exception {
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withConnectTimeout(Duration.ofMillis(300))
                .withMaxConnectionsPerReplica(1)
                .withMaxPendingPerReplica(5));
    l.update(Fixtures.single("v1", upstream));
    try (RawHttp first = new RawHttp(l.address());
        RawHttp second = new RawHttp(l.address())) {
      first.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: a\r\n\r\n");
      await().atMost(Duration.ofSeconds(5)).until(() -> upstream.requests.get() == 1);
      long t0 = System.nanoTime();
      RawHttp.Response r = second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("timed out waiting for a replica under its connection limit");
      assertThat(millis).isBetween(250L, 2500L);
      // The connection stays usable, and the slot is still the first request's.
      assertThat(first.read().status()).isEqualTo(200);
      assertThat(second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
    }
  }
}
