package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.FunctionUpstream;
import dev.sluice.router.testing.PromText;
import dev.sluice.router.testing.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Passive outlier detection (see {@link OutlierDetection}): real upstreams, real sockets. */
class OutlierDetectionTest {

  private Router router;
  private final List<AutoCloseable> upstreams = new ArrayList<>();

  @BeforeEach
  void start() {
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
  }

  @AfterEach
  void stop() throws Exception {
    router.close();
    for (AutoCloseable u : upstreams) {
      u.close();
    }
  }

  private FunctionUpstream upstream(AtomicBoolean failing, String name) {
    FunctionUpstream u =
        FunctionUpstream.start(
            r -> new FunctionUpstream.Reply(failing.get() ? 500 : 200, java.util.Map.of(), name));
    upstreams.add(u);
    return u;
  }

  private static Endpoint endpoint(String id, FunctionUpstream u) {
    return new Endpoint(id, "127.0.0.1", u.port());
  }

  private static int get(RawHttp http) throws Exception {
    return http.send("GET /item HTTP/1.1\r\nHost: a\r\n\r\n").read().status();
  }

  @Test
  void replicaThatAnswers5xxFiveTimesInARowIsEjectedAndComesBackAfterTheBackOff() throws Exception {
    AtomicBoolean badFails = new AtomicBoolean(true);
    FunctionUpstream good = upstream(new AtomicBoolean(false), "good");
    FunctionUpstream bad = upstream(badFails, "bad");
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withOutlierDetection(5, Duration.ofSeconds(2), 50));
    l.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(endpoint("good", good), endpoint("bad", bad)))
            .build());
    try (RawHttp http = new RawHttp(l.address())) {
      int errors = 0;
      long ejectedAt = 0;
      // Least outstanding with sequential requests alternates: the bad replica gets every other
      // one until its fifth 500 in a row.
      for (int i = 0; i < 12; i++) {
        long sent = System.nanoTime();
        if (get(http) == 500 && ++errors == 5) {
          // Ejected while this request was under way: not before it was sent.
          ejectedAt = sent;
        }
      }
      assertThat(errors).isEqualTo(5);
      assertThat(bad.received).hasSize(5);
      assertThat(
              PromText.sum(router, "sluice_outlier_ejections_total{app=\"shop\",version=\"v1\"}"))
          .isEqualTo(1);
      assertThat(
              PromText.sum(
                  router, "sluice_replica_ejected{app=\"shop\",version=\"v1\",replica=\"bad\"}"))
          .isEqualTo(1);
      // Out of traffic: everything goes to the good replica.
      for (int i = 0; i < 20; i++) {
        assertThat(get(http)).isEqualTo(200);
      }
      assertThat(bad.received).hasSize(5);

      // Recovered meanwhile: it gets traffic again once the 2 s back-off is over, not before.
      badFails.set(false);
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> get(http) == 200 && bad.received.size() > 5);
      long outMillis = (System.nanoTime() - ejectedAt) / 1_000_000;
      assertThat(outMillis).isGreaterThanOrEqualTo(1950);
      assertThat(PromText.sum(router, "sluice_replica_ejected{app=\"shop\"")).isZero();
    }
  }

  @Test
  void maxEjectionPercentKeepsHalfOfAFailingVersionInTraffic() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    List<Endpoint> replicas = new ArrayList<>();
    List<FunctionUpstream> servers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      FunctionUpstream u = upstream(failing, "r" + i);
      servers.add(u);
      replicas.add(endpoint("r" + i, u));
    }
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withOutlierDetection(2, Duration.ofSeconds(30), 50));
    l.update(RoutingTable.builder().version("v1", 100, replicas).build());
    try (RawHttp http = new RawHttp(l.address())) {
      for (int i = 0; i < 40; i++) {
        assertThat(get(http)).isEqualTo(500);
      }
    }
    assertThat(PromText.sum(router, "sluice_outlier_ejections_total{app=\"shop\"")).isEqualTo(2);
    assertThat(PromText.sum(router, "sluice_replica_ejected{app=\"shop\"")).isEqualTo(2);
    // The two ejected got their two failures and nothing after; the two that stayed got the rest.
    assertThat(servers.stream().filter(u -> u.received.size() == 2).count()).isEqualTo(2);
    assertThat(servers.stream().mapToInt(u -> u.received.size()).sum()).isEqualTo(40);
  }

  @Test
  void aVersionNeverLosesItsLastReplicaToEjection() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    FunctionUpstream a = upstream(failing, "a");
    FunctionUpstream b = upstream(failing, "b");
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withOutlierDetection(2, Duration.ofSeconds(30), 100));
    l.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(endpoint("a", a), endpoint("b", b)))
            .build());
    try (RawHttp http = new RawHttp(l.address())) {
      for (int i = 0; i < 20; i++) {
        assertThat(get(http)).isEqualTo(500);
      }
    }
    assertThat(PromText.sum(router, "sluice_replica_ejected{app=\"shop\"")).isEqualTo(1);
  }

  @Test
  void connectionFailuresCountAndTheRetriesHideThem() throws Exception {
    FunctionUpstream live = upstream(new AtomicBoolean(false), "live");
    Endpoint dead = new Endpoint("dead", "127.0.0.1", Fixtures.closedPort());
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT)
                .withOutlierDetection(3, Duration.ofSeconds(30), 50));
    l.update(
        RoutingTable.builder().version("v1", 100, List.of(dead, endpoint("live", live))).build());
    try (RawHttp http = new RawHttp(l.address())) {
      for (int i = 0; i < 30; i++) {
        assertThat(get(http)).isEqualTo(200);
      }
    }
    // Three refused connects (each retried on the live replica), then no more attempts.
    assertThat(PromText.sum(router, "sluice_upstream_failures_total{app=\"shop\"")).isEqualTo(3);
    assertThat(PromText.sum(router, "sluice_retries_total{app=\"shop\"")).isEqualTo(3);
    assertThat(
            PromText.sum(
                router, "sluice_replica_ejected{app=\"shop\",version=\"v1\",replica=\"dead\"}"))
        .isEqualTo(1);
    assertThat(live.received).hasSize(30);
  }
}
