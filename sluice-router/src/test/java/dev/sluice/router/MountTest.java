package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Several apps on one listener, chosen by host and longest path prefix. */
class MountTest {

  private TestUpstream shop;
  private TestUpstream api;
  private TestUpstream admin;
  private Router router;
  private Listener listener;

  @BeforeEach
  void start() {
    shop = TestUpstream.start("shop-0");
    api = TestUpstream.start("api-0");
    admin = TestUpstream.start("admin-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("edge", ANY_PORT));
  }

  @AfterEach
  void stop() {
    router.close();
    shop.close();
    api.close();
    admin.close();
  }

  private RawHttp.Response get(RawHttp http, String host, String target) throws Exception {
    return http.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
  }

  @Test
  void theLongestMatchingPrefixWithAMatchingHostWinsAndNoMatchIs404() throws Exception {
    listener.update(
        List.of(
            new Mount("shop", List.of("shop.example", "*.shop.example"), "/", single("v1", shop)),
            new Mount("api", List.of("shop.example"), "/api", single("v1", api)),
            new Mount("admin", List.of(), "/admin", single("v1", admin))));
    try (RawHttp http = new RawHttp(listener.address())) {
      assertThat(get(http, "shop.example", "/").header("x-upstream")).isEqualTo("shop-0");
      assertThat(get(http, "SHOP.example:80", "/api/x").header("x-upstream")).isEqualTo("api-0");
      assertThat(get(http, "shop.example", "/apix").header("x-upstream")).isEqualTo("shop-0");
      assertThat(get(http, "eu.shop.example", "/api").header("x-upstream"))
          .as("api is only on shop.example; the wildcard takes it at /")
          .isEqualTo("shop-0");
      assertThat(get(http, "anything", "/admin/users").header("x-upstream")).isEqualTo("admin-0");
      RawHttp.Response none = get(http, "other.example", "/");
      assertThat(none.status()).isEqualTo(404);
      assertThat(none.body()).isEqualTo("404 Not Found: no app for this host and path\n");
      assertThat(get(http, "shop.example", "/").status())
          .as("the connection stays usable after a 404")
          .isEqualTo(200);
    }
    Duration w = Duration.ofSeconds(10);
    assertThat(router.metrics().window("shop", "v1", w).requests()).isEqualTo(4);
    assertThat(router.metrics().window("api", "v1", w).requests()).isEqualTo(1);
    assertThat(router.metrics().window("admin", "v1", w).requests()).isEqualTo(1);
    assertThat(router.metrics().window("edge", "v1", w).requests()).isZero();
  }

  @Test
  void updateWithOneTableStillServesEveryRequestUnderTheListenersName() throws Exception {
    listener.update(single("v1", shop));
    assertThat(listener.mounts()).hasSize(1);
    assertThat(listener.mounts().get(0).app()).isEqualTo("edge");
    assertThat(listener.table()).isEqualTo(single("v1", shop));
    try (RawHttp http = new RawHttp(listener.address())) {
      assertThat(get(http, "x", "/any/path").header("x-upstream")).isEqualTo("shop-0");
    }
    listener.update(List.of(Mount.of("shop", single("v1", shop))));
    assertThat(listener.table()).isEqualTo(RoutingTable.EMPTY);
    assertThatThrownBy(() -> listener.update(List.<Mount>of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mounts");
  }

  @Test
  void aBodyOfARequestNoAppTakesIsSkippedAndTheNextRequestIsServed() throws Exception {
    listener.update(List.of(new Mount("api", List.of(), "/api", single("v1", api))));
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("POST /nope HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
      assertThat(http.read().status()).isEqualTo(404);
      assertThat(get(http, "a", "/api").header("x-upstream")).isEqualTo("api-0");
    }
  }
}
