package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.ScriptedUpstream;
import dev.sluice.router.testing.ScriptedUpstream.Reply;
import dev.sluice.router.testing.ScriptedUpstream.Request;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upgrades that could desynchronise the router and the upstream (the WebSocket variants of request
 * smuggling): a tunnel opens only when the client asked for an upgrade in HTTP/1.1, with {@code
 * Connection: upgrade}, without a body, and the upstream answered 101. A 101 nobody asked for is a
 * bad response (502) whose bytes never reach the client; an upgrade answered otherwise stays HTTP.
 */
class UpgradeSmugglingTest {

  private static final String SWITCH_THEN_SMUGGLE =
      "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: x-raw\r\n\r\n"
          + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled";

  private ScriptedUpstream upstream;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    upstream =
        ScriptedUpstream.start(
            r ->
                switch (r.requestLine().split(" ")[1]) {
                  case "/switch" -> Reply.closing(SWITCH_THEN_SMUGGLE);
                  case "/refuse" ->
                      Reply.of("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\nno");
                  default -> Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                });
    router = Router.create(RouterOptions.defaults().withEventLoops(1));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
    listener.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(new Endpoint("v1-0", "127.0.0.1", upstream.port())))
            .build());
  }

  @AfterEach
  void stop() {
    router.close();
    upstream.close();
  }

  private Request lastReceived() {
    List<Request> all = new ArrayList<>(upstream.received);
    return all.get(all.size() - 1);
  }

  @Test
  void a101ToARequestThatAskedForNoUpgradeIsA502AndNothingBehindItReachesTheClient()
      throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response r = http.send("GET /switch HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).doesNotContain("smuggled");
      // The client connection is still HTTP, with a fresh upstream connection behind it.
      RawHttp.Response next = http.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read();
      assertThat(next.status()).isEqualTo(200);
      assertThat(next.body()).isEqualTo("ok");
    }
  }

  @Test
  void anUpgradeRequestWithABodyGoesUpstreamAsPlainHttpAndItsSwitchIsRefused() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response r =
          http.send(
                  "POST /switch HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x-raw\r\n"
                      + "Content-Length: 5\r\n\r\nhello")
              .read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.body()).doesNotContain("smuggled");
    }
    Request got = lastReceived();
    assertThat(got.header("upgrade")).isNull();
    assertThat(got.header("connection")).isNull();
    assertThat(got.body()).isEqualTo("hello");
  }

  @Test
  void anUpgradeWithoutTheConnectionOptionOrInHttp10IsNotOffered() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      assertThat(
              http.send("GET /a HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n").read().status())
          .isEqualTo(200);
      assertThat(lastReceived().header("upgrade")).isNull();
    }
    try (RawHttp http = new RawHttp(listener.address())) {
      RawHttp.Response r =
          http.send("GET /switch HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: x-raw\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(lastReceived().header("upgrade")).isNull();
    }
  }

  @Test
  void anUpgradeAnsweredWithoutA101ContinuesAsHttpOnBothConnections() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      // The next request rides right behind the upgrade request, in the same write.
      http.send(
          "GET /refuse HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: x-raw\r\n\r\n"
              + "GET /after HTTP/1.1\r\nHost: a\r\n\r\n");
      RawHttp.Response refused = http.read();
      assertThat(refused.status()).isEqualTo(426);
      assertThat(refused.body()).isEqualTo("no");
      RawHttp.Response after = http.read();
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body()).isEqualTo("ok");
    }
    List<Request> got = new ArrayList<>(upstream.received);
    assertThat(got.get(0).header("upgrade")).isEqualTo("x-raw");
    assertThat(got.get(0).header("connection")).isEqualTo("upgrade");
    assertThat(got.get(1).requestLine()).isEqualTo("GET /after HTTP/1.1");
    assertThat(got.get(1).header("upgrade")).isNull();
    // The upstream connection was kept for the next request, as for any keep-alive exchange.
    assertThat(upstream.connectionsOpened.get()).isEqualTo(1);
  }
}
