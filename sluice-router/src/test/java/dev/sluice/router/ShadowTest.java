package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.router.shadow.BodyCompare;
import dev.sluice.router.shadow.Compare;
import dev.sluice.router.shadow.Shadow;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowWindow;
import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.FunctionUpstream;
import dev.sluice.router.testing.FunctionUpstream.Reply;
import dev.sluice.router.testing.RawHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Shadow traffic: copies that never reach the client, and the comparison of the answers. */
class ShadowTest {

  private static final Duration WINDOW = Duration.ofSeconds(60);

  private final List<AutoCloseable> open = new ArrayList<>();
  private Router router;
  private Listener listener;

  private void start(RouterOptions options) {
    router = Router.create(options);
    open.add(router);
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
  }

  private FunctionUpstream upstream(
      java.util.function.Function<FunctionUpstream.Request, Reply> f) {
    FunctionUpstream u = FunctionUpstream.start(f);
    open.add(0, u);
    return u;
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static Endpoint endpoint(String id, FunctionUpstream u) {
    return new Endpoint(id, "127.0.0.1", u.port());
  }

  private RoutingTable table(Endpoint primary, Endpoint shadowed, Shadow shadow) {
    return RoutingTable.builder()
        .version("v1", 100, List.of(primary))
        .version("v2", 0, List.of(shadowed))
        .shadow(shadow)
        .build();
  }

  private ShadowWindow results() {
    return router.shadow().window("shop", "v2", WINDOW);
  }

  private List<RawHttp.Response> send(int n, String method, String path, String body)
      throws Exception {
    List<RawHttp.Response> out = new ArrayList<>();
    try (RawHttp http = new RawHttp(listener.address())) {
      for (int i = 0; i < n; i++) {
        String b = body == null ? "" : body;
        String head =
            method
                + " "
                + path.replace("{i}", Integer.toString(i))
                + " HTTP/1.1\r\n"
                + "Host: shop\r\n"
                + (body == null ? "" : "Content-Length: " + b.length() + "\r\n");
        out.add(http.send(head + "\r\n" + b).read());
      }
    }
    return out;
  }

  @Test
  void clientsGetThePrimaryAnswerWithoutWaitingForASlowShadow() throws Exception {
    start(RouterOptions.defaults().withEventLoops(2));
    CountDownLatch release = new CountDownLatch(1);
    FunctionUpstream primary = upstream(r -> Reply.ok("primary"));
    FunctionUpstream shadow =
        upstream(
            r -> {
              try {
                release.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Reply.ok("shadow");
            });
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withTimeout(Duration.ofSeconds(30))));
    List<RawHttp.Response> answers = send(10, "GET", "/item/{i}", null);
    assertThat(answers).allSatisfy(r -> assertThat(r.body()).isEqualTo("primary"));
    // Every client got its answer while the shadow had answered nothing.
    await().atMost(Duration.ofSeconds(10)).until(() -> shadow.received.size() == 10);
    assertThat(shadow.answered.get()).isZero();
    // Copies leave from two event loops, so they may arrive in any order.
    var copy =
        shadow.received.stream()
            .filter(r -> r.target().equals("/item/3"))
            .findFirst()
            .orElseThrow();
    assertThat(copy.header("x-sluice-shadow")).isEqualTo("1");
    assertThat(primary.received.get(3).header("x-sluice-shadow")).isNull();
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 10);
    assertThat(router.metrics().window("shop", "v2", WINDOW).requests())
        .as("the shadow's own answers are in its metrics")
        .isEqualTo(10);
  }

  @Test
  void clientsAreUnaffectedWhenTheShadowFailsOrTimesOut() throws Exception {
    start(RouterOptions.defaults().withEventLoops(2));
    FunctionUpstream primary = upstream(r -> Reply.ok("primary"));
    Endpoint refusing = new Endpoint("s", "127.0.0.1", Fixtures.closedPort());
    listener.update(table(endpoint("p", primary), refusing, Shadow.of("v2", 100)));
    assertThat(send(5, "GET", "/", null)).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(10)).until(() -> results().errors() == 5);

    CountDownLatch never = new CountDownLatch(1);
    FunctionUpstream hanging =
        upstream(
            r -> {
              try {
                never.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Reply.ok("late");
            });
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s2", hanging),
            Shadow.of("v2", 100)
                .withTimeout(Duration.ofMillis(200))
                .withCompare(Compare.statusAndBody())));
    assertThat(send(3, "GET", "/", null))
        .allSatisfy(r -> assertThat(r.body()).isEqualTo("primary"));
    await().atMost(Duration.ofSeconds(10)).until(() -> results().errors() == 8);
    never.countDown();
    assertThat(results().compared()).isZero();
  }

  @Test
  void theDiffRateCountsKnownDifferingAndIdenticalResponses() throws Exception {
    start(RouterOptions.defaults().withEventLoops(2));
    FunctionUpstream primary = upstream(r -> Reply.ok("item " + r.target()));
    FunctionUpstream shadow =
        upstream(
            r -> {
              int n = Integer.parseInt(r.target().substring("/item/".length()));
              return n % 4 == 0
                  ? Reply.ok("changed " + r.target())
                  : Reply.ok("item " + r.target());
            });
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withCompare(Compare.statusAndBody())));
    send(20, "GET", "/item/{i}", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> results().compared() == 20);
    ShadowWindow w = results();
    assertThat(w.same()).isEqualTo(15);
    assertThat(w.different()).isEqualTo(5);
    assertThat(w.diffRate()).isEqualTo(0.25);
    List<ShadowDiff> diffs = router.shadow().diffs("shop");
    assertThat(diffs).hasSize(5);
    ShadowDiff newest = diffs.get(0);
    assertThat(newest.target()).isEqualTo("/item/16");
    assertThat(newest.method()).isEqualTo("GET");
    assertThat(newest.primaryVersion()).isEqualTo("v1");
    assertThat(newest.shadowVersion()).isEqualTo("v2");
    assertThat(newest.differences()).containsExactly("body");
    assertThat(newest.primary().bodyExcerpt()).isEqualTo("item /item/16");
    assertThat(newest.shadow().bodyExcerpt()).isEqualTo("changed /item/16");
    StringBuilder prometheus = new StringBuilder();
    router.metrics().writePrometheus(prometheus);
    assertThat(prometheus)
        .contains("sluice_shadow_requests_total{app=\"shop\",version=\"v2\",result=\"same\"} 15")
        .contains(
            "sluice_shadow_requests_total{app=\"shop\",version=\"v2\",result=\"different\"} 5");
  }

  @Test
  void jsonBodiesAreComparedAsValuesWithoutTheIgnoredPointers() throws Exception {
    start(RouterOptions.defaults().withEventLoops(1));
    FunctionUpstream primary =
        upstream(
            r ->
                Reply.json(
                    "{\"id\": 7, \"meta\": {\"time\": \"10:00\", \"trace\": \"a\"},"
                        + " \"items\": [{\"price\": 1.50}, {\"price\": 2}]}"));
    FunctionUpstream shadow =
        upstream(
            r ->
                Reply.json(
                    "{\"items\":[{\"price\":1.5},{\"price\":2.0}],\"meta\":{\"trace\":\"b\","
                        + "\"time\":\"10:01\"},\"id\":7}"));
    Compare ignoring =
        new Compare(
            true, List.of("content-type"), BodyCompare.JSON, List.of("/meta/time", "/meta/trace"));
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withCompare(ignoring)));
    send(3, "GET", "/", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 3);

    Compare strict = Compare.json(List.of("/meta/trace"));
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withCompare(strict)));
    send(2, "GET", "/", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> results().different() == 2);
    assertThat(router.shadow().diffs("shop").get(0).differences())
        .containsExactly("body /meta/time");
  }

  @Test
  void unsafeMethodsAreCopiedOnlyWhenAllowedAndBodiesOverTheLimitAreDropped() throws Exception {
    start(RouterOptions.defaults().withEventLoops(1));
    FunctionUpstream primary = upstream(r -> Reply.ok("ok"));
    FunctionUpstream shadow = upstream(r -> Reply.ok("ok"));
    listener.update(table(endpoint("p", primary), endpoint("s", shadow), Shadow.of("v2", 100)));
    send(2, "POST", "/orders", "{\"n\":1}");
    send(1, "GET", "/orders", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 1);
    assertThat(shadow.received).extracting(FunctionUpstream.Request::method).containsExactly("GET");

    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withMirrorUnsafe(true).withMaxBodyBytes(10)));
    send(1, "POST", "/orders", "{\"n\":2}");
    send(1, "PUT", "/orders/1", "01234567890123456789");
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> results().dropped() == 1);
    FunctionUpstream.Request post = shadow.received.get(1);
    assertThat(post.method()).isEqualTo("POST");
    assertThat(post.bodyText()).isEqualTo("{\"n\":2}");
    assertThat(primary.received).hasSize(5);
  }

  @Test
  void copiesBeyondTheInFlightLimitAreDropped() throws Exception {
    start(RouterOptions.defaults().withEventLoops(1).withMaxShadowInFlight(2));
    CountDownLatch release = new CountDownLatch(1);
    FunctionUpstream primary = upstream(r -> Reply.ok("ok"));
    FunctionUpstream shadow =
        upstream(
            r -> {
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return Reply.ok("ok");
            });
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withTimeout(Duration.ofSeconds(20))));
    assertThat(send(5, "GET", "/", null)).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    await().atMost(Duration.ofSeconds(10)).until(() -> results().dropped() == 3);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 2);
    assertThat(shadow.received).hasSize(2);
  }

  @Test
  void aChunkedUploadIsCopiedWholeAndShadowsOfOtherPercentagesAreSampled() throws Exception {
    start(RouterOptions.defaults().withEventLoops(1));
    FunctionUpstream primary = upstream(r -> Reply.ok(r.bodyText()));
    FunctionUpstream shadow = upstream(r -> Reply.ok(r.bodyText()));
    listener.update(
        table(
            endpoint("p", primary),
            endpoint("s", shadow),
            Shadow.of("v2", 100).withMirrorUnsafe(true).withCompare(Compare.statusAndBody())));
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      http.send("6\r\n world\r\n0\r\n\r\n");
      assertThat(http.read().body()).isEqualTo("hello world");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> results().same() == 1);
    assertThat(shadow.received.get(0).bodyText()).isEqualTo("hello world");

    listener.update(table(endpoint("p", primary), endpoint("s", shadow), Shadow.of("v2", 0)));
    send(5, "GET", "/", null);
    assertThat(primary.received).hasSize(6);
    assertThat(shadow.received).as("0 %% copies nothing").hasSize(1);
    assertThat(Map.of()).isEmpty();
  }
}
