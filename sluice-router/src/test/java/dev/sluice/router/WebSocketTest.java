package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.testing.WebSocketUpstream;
import dev.sluice.router.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSockets through the router, with the JDK's client in front and Netty's WebSocket server
 * behind, as the issue asks: proxied both ways; on a switch, open sockets stay on their version
 * until {@code drainTimeout} ends them with close 1001 while new ones reach the new version.
 */
class WebSocketTest {

  private WebSocketUpstream blue;
  private WebSocketUpstream green;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    blue = WebSocketUpstream.start("v1-0");
    green = WebSocketUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("chat", ANY_PORT));
  }

  @AfterEach
  void stop() {
    router.close();
    blue.close();
    green.close();
  }

  private static Endpoint endpoint(WebSocketUpstream u) {
    return new Endpoint(u.id, "127.0.0.1", u.port());
  }

  private RoutingTable only(String version, WebSocketUpstream u, Duration drainTimeout) {
    return RoutingTable.builder()
        .version(version, 100, List.of(endpoint(u)))
        .drainTimeout(drainTimeout)
        .build();
  }

  private long metric(String series) throws Exception {
    StringBuilder out = new StringBuilder();
    router.metrics().writePrometheus(out);
    return out.toString()
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .map(l -> Long.parseLong(l.substring(series.length() + 1)))
        .findFirst()
        .orElse(-1L);
  }

  @Test
  void echoesTextBinaryAndALargeFragmentedMessageThroughTheRouter() throws Exception {
    listener.update(only("v1", blue, Duration.ofSeconds(30)));
    try (WsClient ws = WsClient.connect(listener.address(), "/ws")) {
      ws.sendText("hello");
      assertThat(ws.nextText()).isEqualTo("v1-0:hello");

      byte[] bytes = new byte[70_000];
      new Random(7).nextBytes(bytes);
      ws.sendBinary(bytes);
      assertThat(ws.nextBinary()).isEqualTo(bytes);

      // 3 MB in three frames: the router must pass frames of any size, split across many reads.
      String part = "x".repeat(1 << 20);
      ws.sendFragments(part, part.replace('x', 'y'), part.replace('x', 'z'));
      String echoed = ws.nextText();
      assertThat(echoed).hasSize(5 + 3 * (1 << 20)).startsWith("v1-0:xxx").endsWith("zzz");

      assertThat(metric("sluice_tunnels_open{app=\"chat\",version=\"v1\"}")).isEqualTo(1);
      assertThat(metric("sluice_upgrades_total{app=\"chat\",version=\"v1\"}")).isEqualTo(1);
      assertThat(metric("sluice_requests_total{app=\"chat\",version=\"v1\",code=\"1xx\"}"))
          .isEqualTo(1);
      assertThat(router.tunnels(endpoint(blue))).isEqualTo(1);
    }
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> metric("sluice_tunnels_open{app=\"chat\",version=\"v1\"}") == 0);
    assertThat(router.tunnels(endpoint(blue))).isZero();
  }

  @Test
  void anOpenSocketStaysOnItsVersionAfterASwitchUntilDrainTimeoutEndsItWith1001() throws Exception {
    listener.update(only("v1", blue, Duration.ofSeconds(30)));
    try (WsClient old = WsClient.connect(listener.address(), "/ws")) {
      old.sendText("before");
      assertThat(old.nextText()).isEqualTo("v1-0:before");

      long switched = System.nanoTime();
      listener.update(only("v2", green, Duration.ofMillis(1500)));

      // The open socket still talks to v1; a new one reaches v2.
      old.sendText("after");
      assertThat(old.nextText()).isEqualTo("v1-0:after");
      try (WsClient fresh = WsClient.connect(listener.address(), "/ws")) {
        fresh.sendText("new");
        assertThat(fresh.nextText()).isEqualTo("v2-0:new");

        // After drainTimeout the router sends close 1001 and the socket ends.
        assertThat(old.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
        assertThat(Duration.ofNanos(System.nanoTime() - switched))
            .isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        // The upstream was told as well (a masked close frame), and v1 has no tunnel left.
        await().atMost(5, TimeUnit.SECONDS).until(() -> blue.closeCodes.contains(1001));
        assertThat(router.awaitDrained(List.of(endpoint(blue)), Duration.ofSeconds(5)).get())
            .isTrue();
        assertThat(metric("sluice_tunnels_drained_total{app=\"chat\",version=\"v1\"}"))
            .isEqualTo(1);
        assertThat(metric("sluice_tunnels_open{app=\"chat\",version=\"v1\"}")).isZero();

        // The socket on the new version is untouched.
        fresh.sendText("still");
        assertThat(fresh.nextText()).isEqualTo("v2-0:still");
        assertThat(fresh.closed).isNotDone();
      }
    }
  }

  @Test
  void aSwitchBackBeforeTheDrainTimeoutKeepsTheSocketOpen() throws Exception {
    listener.update(only("v1", blue, Duration.ofSeconds(30)));
    try (WsClient ws = WsClient.connect(listener.address(), "/ws")) {
      ws.sendText("a");
      assertThat(ws.nextText()).isEqualTo("v1-0:a");
      listener.update(only("v2", green, Duration.ofMillis(500)));
      listener.update(only("v1", blue, Duration.ofMillis(500)));
      // Well past the drain timeout the socket is still open and on v1.
      await()
          .during(Duration.ofMillis(1200))
          .atMost(5, TimeUnit.SECONDS)
          .until(() -> !ws.closed.isDone());
      ws.sendText("b");
      assertThat(ws.nextText()).isEqualTo("v1-0:b");
      assertThat(metric("sluice_tunnels_drained_total{app=\"chat\",version=\"v1\"}")).isZero();
    }
  }

  @Test
  void aQuietSocketIsEndedAfterTheTunnelIdleTimeout() throws Exception {
    Listener quick =
        router.listen(
            ListenerOptions.of("quiet", ANY_PORT).withTunnelIdleTimeout(Duration.ofMillis(700)));
    quick.update(only("v1", blue, Duration.ofSeconds(30)));
    try (WsClient ws = WsClient.connect(quick.address(), "/ws")) {
      ws.sendText("once");
      assertThat(ws.nextText()).isEqualTo("v1-0:once");
      assertThat(ws.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
    }
  }
}
