package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static dev.sluice.router.testing.Fixtures.get;
import static dev.sluice.router.testing.Fixtures.servedBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.health.HealthChange;
import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.ProcessUpstream;
import dev.sluice.router.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

  private static final HealthCheckOptions FAST =
      new HealthCheckOptions("/health", Duration.ofMillis(100), Duration.ofMillis(500), 2, 2);

  private TestUpstream a;
  private TestUpstream b;
  private Router router;
  private Listener listener;
  private final HttpClient client = Fixtures.client();
  private final List<HealthChange> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    a = TestUpstream.start("v1-0");
    b = TestUpstream.start("v1-1");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    router.health().addListener(changes::add);
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
  }

  @AfterEach
  void stop() {
    client.close();
    router.close();
    a.close();
    b.close();
  }

  @Test
  void aNewEndpointStartsUnhealthyUntilItPassesItsChecks() {
    router.health().watch(endpoint(a), FAST);
    assertThat(router.health().isHealthy(endpoint(a))).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> router.health().isHealthy(endpoint(a)));
    assertThat(changes).contains(new HealthChange(endpoint(a), true, "GET /health: 200"));
  }

  @Test
  void anEndpointFailingItsChecksGetsNoTrafficAndReturnsAfterRecovering() throws Exception {
    router.health().watch(endpoint(a), FAST);
    router.health().watch(endpoint(b), FAST);
    listener.update(Fixtures.single("v1", a, b));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> router.health().isHealthy(endpoint(a)) && router.health().isHealthy(endpoint(b)));

    b.healthStatus = 503;
    await().atMost(Duration.ofSeconds(5)).until(() -> !router.health().isHealthy(endpoint(b)));
    assertThat(changes).contains(new HealthChange(endpoint(b), false, "GET /health: 503"));
    int before = b.requests.get();
    for (int i = 0; i < 50; i++) {
      assertThat(servedBy(get(client, listener.address(), "/"))).isEqualTo("v1-0");
    }
    // Only health checks reached b meanwhile, no proxied request.
    assertThat(b.requests.get() - before).isLessThan(50);

    b.healthStatus = 200;
    await().atMost(Duration.ofSeconds(5)).until(() -> router.health().isHealthy(endpoint(b)));
    boolean servedByB = false;
    for (int i = 0; i < 50 && !servedByB; i++) {
      servedByB = servedBy(get(client, listener.address(), "/")).equals("v1-1");
    }
    assertThat(servedByB).isTrue();
  }

  @Test
  void markDownTakesEffectAtOnceAndChecksBringTheEndpointBack() throws Exception {
    router.health().watch(endpoint(a), FAST);
    router.health().watch(endpoint(b), FAST);
    listener.update(Fixtures.single("v1", a, b));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> router.health().isHealthy(endpoint(a)) && router.health().isHealthy(endpoint(b)));

    router.health().markDown(endpoint(b), "process exited with 137");
    assertThat(router.health().isHealthy(endpoint(b))).isFalse();
    assertThat(changes).contains(new HealthChange(endpoint(b), false, "process exited with 137"));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = get(client, listener.address(), "/");
      if (!router.health().isHealthy(endpoint(b))) {
        assertThat(servedBy(r)).isEqualTo("v1-0");
      }
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> router.health().isHealthy(endpoint(b)));
  }

  @Test
  void anUnwatchedEndpointCountsAsHealthyAndUnwatchingRestoresTraffic() {
    assertThat(router.health().isHealthy(endpoint(a))).isTrue();
    a.healthStatus = 500;
    router.health().watch(endpoint(a), FAST);
    assertThat(router.health().isHealthy(endpoint(a))).isFalse();
    router.health().unwatch(endpoint(a));
    assertThat(router.health().isHealthy(endpoint(a))).isTrue();
  }

  @Test
  void aKilledUpstreamProcessUnderLoadCostsNoFailedRequest() throws Exception {
    try (ProcessUpstream p0 = ProcessUpstream.start("p-0");
        ProcessUpstream p1 = ProcessUpstream.start("p-1")) {
      Endpoint e0 = new Endpoint("p-0", "127.0.0.1", p0.port);
      Endpoint e1 = new Endpoint("p-1", "127.0.0.1", p1.port);
      router.health().watch(e0, FAST);
      router.health().watch(e1, FAST);
      listener.update(RoutingTable.builder().version("v1", 100, List.of(e0, e1)).build());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> router.health().isHealthy(e0) && router.health().isHealthy(e1));

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        workers.add(
            pool.submit(
                () -> {
                  while (running.get()) {
                    try {
                      HttpResponse<String> r = get(client, listener.address(), "/");
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                      } else {
                        failures.add(r.statusCode() + " " + r.body());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                  return null;
                }));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > 300);
      p1.kill();
      int afterKill = ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > afterKill + 500);
      running.set(false);
      for (Future<?> w : workers) {
        w.get();
      }
      pool.shutdown();
      assertThat(failures).isEmpty();
      assertThat(router.health().isHealthy(e1)).isFalse();
    }
  }
}
