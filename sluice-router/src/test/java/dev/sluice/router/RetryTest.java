package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.FunctionUpstream;
import dev.sluice.router.testing.PromText;
import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.ScriptedUpstream;
import dev.sluice.router.testing.TestUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries on another replica and the retry budget (see {@link ListenerOptions}, {@link
 * RetryBudget}).
 */
class RetryTest {

  private Router router;

  @BeforeEach
  void start() {
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
  }

  @AfterEach
  void stop() {
    router.close();
  }

  @Test
  void aReplicaKilledUnderConcurrentGetLoadFailsNoRequest() throws Exception {
    TestUpstream a = TestUpstream.start("a");
    TestUpstream b = TestUpstream.start("b");
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      Listener l =
          router.listen(
              ListenerOptions.of("shop", ANY_PORT)
                  .withOutlierDetection(5, Duration.ofSeconds(30), 50));
      l.update(Fixtures.single("v1", a, b));
      AtomicBoolean run = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      AtomicLong answeredByA = new AtomicLong();
      List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        done.add(
            clients.submit(
                () -> {
                  RawHttp http = null;
                  for (int i = 0; i < 400 && run.get(); i++) {
                    try {
                      if (http == null) {
                        http = new RawHttp(l.address());
                      }
                      // Each request sits 10 ms in the replica: some are there when it dies.
                      RawHttp.Response r =
                          http.send("GET /slow?ms=10 HTTP/1.1\r\nHost: a\r\n\r\n").read();
                      if (r.status() == 200) {
                        ok.incrementAndGet();
                        if (r.body().equals("a")) {
                          answeredByA.incrementAndGet();
                        }
                      } else {
                        failures.add(r.status() + " " + r.body().strip());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                      http = null;
                    }
                  }
                  return null;
                }));
      }
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.requests.get() > 100 && b.requests.get() > 100);
      a.kill();
      int atKill = ok.get();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> ok.get() > atKill + 300);
      run.set(false);
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
      assertThat(failures).isEmpty();
      assertThat(answeredByA.get()).isPositive();
      // Requests cut on the dead replica and refused connects went to b; then it was ejected.
      assertThat(PromText.sum(router, "sluice_retries_total{app=\"shop\"")).isPositive();
      assertThat(PromText.sum(router, "sluice_outlier_ejections_total{app=\"shop\"")).isEqualTo(1);
    } finally {
      clients.shutdownNow();
      a.close();
      b.close();
    }
  }

  @Test
  void aPostThatWasAlreadySentIsNotRetriedButAGetIs() throws Exception {
    try (ScriptedUpstream closer = ScriptedUpstream.start(req -> ScriptedUpstream.Reply.closing());
        FunctionUpstream answerer = FunctionUpstream.start(r -> FunctionUpstream.Reply.ok("ok"))) {
      Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT));
      l.update(
          RoutingTable.builder()
              .version(
                  "v1",
                  100,
                  List.of(
                      new Endpoint("closer", "127.0.0.1", closer.port()),
                      new Endpoint("answerer", "127.0.0.1", answerer.port())))
              .build());
      int badGateway = 0;
      try (RawHttp http = new RawHttp(l.address())) {
        for (int i = 0; i < 10; i++) {
          RawHttp.Response r =
              http.send(
                      "POST /orders?i=" + i + " HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}")
                  .read();
          assertThat(r.status()).isIn(200, 502);
          badGateway += r.status() == 502 ? 1 : 0;
        }
        for (int i = 0; i < 10; i++) {
          assertThat(http.send("GET /orders HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
              .isEqualTo(200);
        }
      }
      // Every POST the closing replica read was answered 502, and none of them reached the other.
      List<String> posted =
          closer.received.stream()
              .map(ScriptedUpstream.Request::requestLine)
              .filter(line -> line.startsWith("POST"))
              .toList();
      assertThat(posted).isNotEmpty().hasSize(badGateway);
      for (String line : posted) {
        String target = line.split(" ")[1];
        assertThat(answerer.received).noneMatch(r -> r.target().equals(target));
      }
      assertThat(answerer.received.stream().filter(r -> r.method().equals("GET")).count())
          .isEqualTo(10);
    }
  }

  @Test
  void getsA503ReplicaAnswersAreRetriedOnAnotherReplicaOfTheVersion() throws Exception {
    try (FunctionUpstream busy =
            FunctionUpstream.start(r -> new FunctionUpstream.Reply(503, Map.of(), "busy"));
        FunctionUpstream fine = FunctionUpstream.start(r -> FunctionUpstream.Reply.ok("fine"))) {
      Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT));
      l.update(
          RoutingTable.builder()
              .version(
                  "v1",
                  100,
                  List.of(
                      new Endpoint("busy", "127.0.0.1", busy.port()),
                      new Endpoint("fine", "127.0.0.1", fine.port())))
              .build());
      int posts503 = 0;
      try (RawHttp http = new RawHttp(l.address())) {
        for (int i = 0; i < 20; i++) {
          RawHttp.Response r = http.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").read();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).isEqualTo("fine");
        }
        // Not idempotent: a POST's 503 goes to the client as it is.
        for (int i = 0; i < 10; i++) {
          RawHttp.Response r =
              http.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
          assertThat(r.status()).isIn(200, 503);
          posts503 += r.status() == 503 ? 1 : 0;
        }
      }
      long getsOnBusy = busy.received.stream().filter(r -> r.method().equals("GET")).count();
      assertThat(getsOnBusy).isPositive();
      assertThat(PromText.sum(router, "sluice_retries_total{app=\"shop\"")).isEqualTo(getsOnBusy);
      assertThat(posts503).isPositive();
      assertThat(busy.received.stream().filter(r -> r.method().equals("POST")).count())
          .isEqualTo(posts503);
    }
  }

  @Test
  void theBudgetCapsRetriesWhenEveryReplicaFails() throws Exception {
    List<FunctionUpstream> servers = new ArrayList<>();
    List<Endpoint> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        FunctionUpstream u =
            FunctionUpstream.start(r -> new FunctionUpstream.Reply(503, Map.of(), "down"));
        servers.add(u);
        replicas.add(new Endpoint("r" + i, "127.0.0.1", u.port()));
      }
      Listener l =
          router.listen(
              ListenerOptions.of("shop", ANY_PORT)
                  .withMaxRetries(2)
                  .withRetryBudget(new RetryBudget(20, 0)));
      l.update(RoutingTable.builder().version("v1", 100, replicas).build());
      int requests = 100;
      try (RawHttp http = new RawHttp(l.address())) {
        for (int i = 0; i < requests; i++) {
          assertThat(http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(503);
        }
      }
      int attempts = servers.stream().mapToInt(u -> u.received.size()).sum();
      int retries = attempts - requests;
      // Without a budget this would be 200 (two retries each); 20 % of 100 requests is 20.
      assertThat(retries).isBetween(15, 21);
      assertThat(PromText.sum(router, "sluice_retries_total{app=\"shop\"")).isEqualTo(retries);
      assertThat(PromText.sum(router, "sluice_retries_budget_exhausted_total{app=\"shop\""))
          .isPositive();
    } finally {
      for (FunctionUpstream u : servers) {
        u.close();
      }
    }
  }
}
