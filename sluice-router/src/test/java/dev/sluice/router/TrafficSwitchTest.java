package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static dev.sluice.router.testing.Fixtures.get;
import static dev.sluice.router.testing.Fixtures.servedBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrafficSwitchTest {

  private TestUpstream blue;
  private TestUpstream green;
  private Router router;
  private Listener listener;
  private final HttpClient client = Fixtures.client();

  @BeforeEach
  void start() {
    blue = TestUpstream.start("v1-0");
    green = TestUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
  }

  @AfterEach
  void stop() {
    client.close();
    router.close();
    blue.close();
    green.close();
  }

  private RoutingTable weights(int v1, int v2) {
    return RoutingTable.builder()
        .version("v1", v1, List.of(endpoint(blue)))
        .version("v2", v2, List.of(endpoint(green)))
        .build();
  }

  @Test
  void splitsTrafficByWeight() throws Exception {
    listener.update(weights(80, 20));
    int n = 2000;
    int v2 = 0;
    for (int i = 0; i < n; i++) {
      if (servedBy(get(client, listener.address(), "/")).equals("v2-0")) {
        v2++;
      }
    }
    // Binomial(2000, 0.2): sd = 17.9, so +-4 sd is +-72 requests.
    assertThat(v2).isBetween(400 - 72, 400 + 72);
  }

  @Test
  void swapsTablesUnderContinuousLoadWithoutAFailedRequest() throws Exception {
    listener.update(weights(100, 0));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger failures = new AtomicInteger();
    Map<String, AtomicLong> served = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      workers.add(
          pool.submit(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> r = get(client, listener.address(), "/");
                    if (r.statusCode() != 200) {
                      failures.incrementAndGet();
                    }
                    served.computeIfAbsent(servedBy(r), k -> new AtomicLong()).incrementAndGet();
                  } catch (Exception e) {
                    failures.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (int i = 0; i < 20; i++) {
      listener.update(i % 2 == 0 ? weights(0, 100) : weights(100, 0));
      long before = served.values().stream().mapToLong(AtomicLong::get).sum();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> served.values().stream().mapToLong(AtomicLong::get).sum() > before + 20);
    }
    running.set(false);
    for (Future<?> w : workers) {
      w.get();
    }
    pool.shutdown();
    assertThat(failures.get()).isZero();
    assertThat(served.keySet()).containsExactlyInAnyOrder("v1-0", "v2-0");
    assertThat(served.values().stream().mapToLong(AtomicLong::get).sum()).isGreaterThan(400);
  }

  @Test
  void letsRequestsInFlightFinishOnTheOldVersionAndReportsWhenDrained() throws Exception {
    listener.update(weights(100, 0));
    // Warm a pooled connection to v1 on each loop so there is something to close later.
    for (int i = 0; i < 10; i++) {
      assertThat(servedBy(get(client, listener.address(), "/"))).isEqualTo("v1-0");
    }
    CompletableFuture<HttpResponse<String>> slow =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return get(client, listener.address(), "/slow?ms=2000");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> router.inFlight(endpoint(blue)) == 1);

    // v1 leaves the table (a weight of 0 would keep it as a fallback, not drain it).
    listener.update(Fixtures.single("v2", green));
    assertThat(servedBy(get(client, listener.address(), "/"))).isEqualTo("v2-0");
    CompletableFuture<Boolean> drained =
        router.awaitDrained(List.of(endpoint(blue)), Duration.ofSeconds(10));
    assertThat(drained).isNotDone();

    HttpResponse<String> r = slow.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("v1-0");
    assertThat(drained.get(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    // Idle pooled connections to the retired v1 closed, and the one that served the slow
    // request closed on its return to the pool.
    await().atMost(Duration.ofSeconds(5)).until(() -> blue.openConnections() == 0);
  }

  @Test
  void awaitDrainedGivesUpAfterItsTimeout() throws Exception {
    listener.update(weights(100, 0));
    CompletableFuture.runAsync(
        () -> {
          try {
            get(client, listener.address(), "/slow?ms=1500");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    await().atMost(Duration.ofSeconds(5)).until(() -> router.inFlight(endpoint(blue)) == 1);
    assertThat(router.awaitDrained(List.of(endpoint(blue)), Duration.ofMillis(200)).get())
        .isFalse();
  }
}
