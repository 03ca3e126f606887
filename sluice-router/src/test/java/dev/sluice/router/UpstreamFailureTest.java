package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.ScriptedUpstream;
import dev.sluice.router.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpstreamFailureTest {

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

  @Test
  void answers502WithATextBodyWhenTheUpstreamRefusesConnections() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT));
    Endpoint dead = new Endpoint("v1-dead", "127.0.0.1", Fixtures.closedPort());
    l.update(RoutingTable.builder().version("v1", 100, List.of(dead)).build());
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.header("content-type")).startsWith("text/plain");
      assertThat(r.body()).startsWith("502 Bad Gateway");
      // The connection stays usable after the router's own answer.
      assertThat(http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(502);
    }
    assertThat(router.metrics().window("shop", "v1", Duration.ofSeconds(10)).upstreamFailures())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void answers503WhenNoReplicaIsHealthyOrTheTableIsEmpty() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response empty = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(empty.status()).isEqualTo(503);
      assertThat(empty.body()).isEqualTo("503 Service Unavailable: no healthy upstream\n");

      l.update(single("v1", upstream));
      router.health().markDown(Fixtures.endpoint(upstream), "process exited with 137");
      RawHttp.Response down = http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(down.status()).isEqualTo(503);
      assertThat(upstream.requests.get()).isZero();
    }
  }

  @Test
  void answers504WhenTheUpstreamIsTooSlow() throws Exception {
    Listener l =
        router.listen(
            ListenerOptions.of("shop", ANY_PORT).withRequestTimeout(Duration.ofMillis(300)));
    l.update(single("v1", upstream));
    try (RawHttp http = new RawHttp(l.address())) {
      long t0 = System.nanoTime();
      RawHttp.Response r = http.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: a\r\n\r\n").read();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).isEqualTo(504);
      assertThat(r.body()).startsWith("504 Gateway Timeout");
      assertThat(ms).isBetween(250L, 2500L);
      // The timed-out upstream connection is not reused: the next request gets a fresh answer.
      assertThat(http.send("GET /status/200 HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
          .isEqualTo(200);
    }
  }

  @Test
  void answers502WhenTheUpstreamClosesWithoutAnswering() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT).withMaxRetries(0));
    l.update(single("v1", upstream));
    try (RawHttp http = new RawHttp(l.address())) {
      RawHttp.Response r =
          http.send("POST /close HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).contains("upstream closed");
    }
  }

  @Test
  void retriesAConnectFailureOnAnotherReplicaAndMarksTheDeadOneDown() throws Exception {
    Listener l = router.listen(ListenerOptions.of("shop", ANY_PORT));
    Endpoint dead = new Endpoint("v1-dead", "127.0.0.1", Fixtures.closedPort());
    Endpoint live = Fixtures.endpoint(upstream);
    router
        .health()
        .watch(
            dead,
            new HealthCheckOptions("/health", Duration.ofMinutes(5), Duration.ofSeconds(1), 1, 1)
                .withStartHealthy(true));
    l.update(RoutingTable.builder().version("v1", 100, List.of(dead, live)).build());
    try (RawHttp http = new RawHttp(l.address())) {
      for (int i = 0; i < 10; i++) {
        assertThat(http.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
      }
    }
    assertThat(router.health().isHealthy(dead)).isFalse();
  }

  @Test
  void retriesAGetThatAReplicaClosedWithoutAnsweringWithTheSameHead() throws Exception {
    try (ScriptedUpstream closer = ScriptedUpstream.start(req -> ScriptedUpstream.Reply.closing());
        ScriptedUpstream answerer =
            ScriptedUpstream.start(
                req ->
                    ScriptedUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))) {
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
      try (RawHttp http = new RawHttp(l.address())) {
        for (int i = 0; i < 10; i++) {
          RawHttp.Response r = http.send("GET /doc?i=" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body()).isEqualTo("ok");
        }
      }
      // Some requests went to the closing replica first; each retry carried the same head.
      assertThat(closer.received).isNotEmpty();
      for (ScriptedUpstream.Request tried : closer.received) {
        assertThat(answerer.received)
            .anySatisfy(
                done -> {
                  assertThat(done.requestLine()).isEqualTo(tried.requestLine());
                  assertThat(done.head()).isEqualTo(tried.head());
                });
      }
    }
  }
}
