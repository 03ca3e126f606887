package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.single;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.flags.EdgeFlags;
import dev.sluice.router.flags.EdgeFlags.Assignment;
import dev.sluice.router.flags.EdgeFlags.Source;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.testing.RawHttp;
import dev.sluice.router.testing.TestUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flags evaluated at the edge: the variant reaches the app as a header, client-sent flag headers
 * never do, and requests are counted per flag and variant.
 */
class EdgeFlagsTest {

  private TestUpstream app;
  private Router router;
  private Listener listener;

  /** What the evaluator was called with, by targeting key. */
  private final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    app = TestUpstream.start("v1-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
    listener.update(single("v1", app));
  }

  @AfterEach
  void stop() {
    router.close();
    app.close();
  }

  /** Users whose key ends in an even digit get "on", the others "off"; no key: no variant. */
  private EdgeFlags checkoutFlag(Source key) {
    return new EdgeFlags(
        key,
        Map.of("country", Source.header("x-country")),
        (targetingKey, context) -> {
          if (targetingKey == null) {
            return List.of();
          }
          seen.put(targetingKey, context);
          int last = targetingKey.charAt(targetingKey.length() - 1) - '0';
          return List.of(new Assignment("new-checkout", last % 2 == 0 ? "on" : "off"));
        });
  }

  private static List<String> flagHeaders(RawHttp.Response r) {
    List<String> out = new ArrayList<>();
    for (String line : r.body().lines().toList()) {
      if (line.startsWith("sluice-flag-")) {
        out.add(line);
      }
    }
    return out;
  }

  @Test
  void theVariantReachesTheAppAsAHeaderField() throws Exception {
    router.edgeFlags("shop", checkoutFlag(Source.header("x-user-id")));
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nX-User-Id: user-2\r\nX-Country: NL\r\n\r\n");
      assertThat(flagHeaders(http.read())).containsExactly("sluice-flag-new-checkout: on");
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nX-User-Id: user-7\r\n\r\n");
      assertThat(flagHeaders(http.read())).containsExactly("sluice-flag-new-checkout: off");
      // No targeting key: the evaluator serves nothing, so no header.
      http.send("GET / HTTP/1.1\r\nHost: shop\r\n\r\n");
      assertThat(flagHeaders(http.read())).isEmpty();
    }
    assertThat(seen.get("user-2")).isEqualTo(Map.of("country", "NL"));
    assertThat(seen.get("user-7")).isEmpty();
  }

  @Test
  void theTargetingKeyMayComeFromACookie() throws Exception {
    router.edgeFlags("shop", checkoutFlag(Source.cookie("uid")));
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nCookie: theme=dark; uid=\"u4\"\r\n\r\n");
      assertThat(flagHeaders(http.read())).containsExactly("sluice-flag-new-checkout: on");
    }
  }

  @Test
  void aClientCannotChooseItsOwnVariant() throws Exception {
    try (RawHttp http = new RawHttp(listener.address())) {
      // Without edge flags too: a Sluice-Flag field is the router's to set.
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nSluice-Flag-New-Checkout: on\r\n\r\n");
      assertThat(flagHeaders(http.read())).isEmpty();
      router.edgeFlags("shop", checkoutFlag(Source.header("x-user-id")));
      http.send(
          "GET / HTTP/1.1\r\nHost: shop\r\nsluice-flag-new-checkout: on\r\n"
              + "X-User-Id: user-1\r\nSLUICE-FLAG-other: x\r\n\r\n");
      assertThat(flagHeaders(http.read())).containsExactly("sluice-flag-new-checkout: off");
    }
  }

  @Test
  void requestsAreCountedPerFlagVariantWithErrorsAndLatency() throws Exception {
    router.edgeFlags("shop", checkoutFlag(Source.header("x-user-id")));
    try (RawHttp http = new RawHttp(listener.address())) {
      for (int u = 0; u < 10; u++) {
        String path = u % 2 == 0 ? "/status/500" : "/";
        http.send("GET " + path + " HTTP/1.1\r\nHost: shop\r\nX-User-Id: user-" + u + "\r\n\r\n");
        http.read();
      }
    }
    WindowSnapshot on =
        router.metrics().flagWindow("shop", "new-checkout", "on", Duration.ofMinutes(1));
    WindowSnapshot off =
        router.metrics().flagWindow("shop", "new-checkout", "off", Duration.ofMinutes(1));
    assertThat(on.requests()).isEqualTo(5);
    assertThat(on.errorShare()).isEqualTo(1.0);
    assertThat(on.latency().getTotalCount()).isEqualTo(5);
    assertThat(off.requests()).isEqualTo(5);
    assertThat(off.errorShare()).isZero();
    assertThat(router.metrics().flagVariants("shop", "new-checkout")).containsExactly("off", "on");

    StringBuilder text = new StringBuilder();
    router.metrics().writePrometheus(text);
    assertThat(text.toString())
        .contains(
            "sluice_flag_variant_requests_total{app=\"shop\",flag=\"new-checkout\",variant=\"on\",code=\"5xx\"} 5",
            "sluice_flag_variant_requests_total{app=\"shop\",flag=\"new-checkout\",variant=\"off\",code=\"2xx\"} 5",
            "sluice_flag_variant_request_duration_seconds_count{app=\"shop\",flag=\"new-checkout\",variant=\"on\"} 5");
  }

  @Test
  void aFailingEvaluatorOrAnUnsendableVariantAddsNothing() throws Exception {
    router.edgeFlags(
        "shop",
        new EdgeFlags(
            Source.header("x-user-id"),
            Map.of(),
            (key, context) -> {
              if (key.equals("boom")) {
                throw new IllegalStateException("boom");
              }
              return List.of(new Assignment("bad flag", "on"), new Assignment("f", "a\r\nX: y"));
            }));
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nX-User-Id: boom\r\n\r\n");
      RawHttp.Response r = http.read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(flagHeaders(r)).isEmpty();
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nX-User-Id: u\r\n\r\n");
      r = http.read();
      assertThat(flagHeaders(r)).isEmpty();
      assertThat(r.body()).doesNotContain("\nx: y");
    }
  }

  @Test
  void removingTheFlagsStopsTheHeaders() throws Exception {
    router.edgeFlags("shop", checkoutFlag(Source.header("x-user-id")));
    router.edgeFlags("shop", null);
    try (RawHttp http = new RawHttp(listener.address())) {
      http.send("GET / HTTP/1.1\r\nHost: shop\r\nX-User-Id: user-2\r\n\r\n");
      assertThat(flagHeaders(http.read())).isEmpty();
    }
  }
}
