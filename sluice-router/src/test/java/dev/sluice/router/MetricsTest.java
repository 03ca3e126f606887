package dev.sluice.router;

import static dev.sluice.router.testing.Fixtures.ANY_PORT;
import static dev.sluice.router.testing.Fixtures.endpoint;
import static dev.sluice.router.testing.Fixtures.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.router.health.HealthCheckOptions;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.testing.Fixtures;
import dev.sluice.router.testing.TestUpstream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsTest {

  /** A sample line of the text format 0.0.4: name, optional labels, a value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})?"
              + " (-?[0-9.eE+-]+|\\+Inf|NaN)");

  private TestUpstream v1;
  private TestUpstream v2;
  private Router router;
  private Listener listener;
  private final HttpClient client = Fixtures.client();

  @BeforeEach
  void start() {
    v1 = TestUpstream.start("v1-0");
    v2 = TestUpstream.start("v2-0");
    router = Router.create(RouterOptions.defaults().withEventLoops(2));
    listener = router.listen(ListenerOptions.of("shop", ANY_PORT));
    listener.update(
        RoutingTable.builder()
            .version("v1", 100, List.of(endpoint(v1)))
            .version("v2", 0, List.of(endpoint(v2)))
            .build());
  }

  @AfterEach
  void stop() {
    client.close();
    router.close();
    v1.close();
    v2.close();
  }

  @Test
  void countsRequestsByStatusClassInWindows() throws Exception {
    for (int i = 0; i < 6; i++) {
      get(client, listener.address(), "/status/200");
    }
    for (int i = 0; i < 3; i++) {
      get(client, listener.address(), "/status/404");
    }
    get(client, listener.address(), "/status/302");
    get(client, listener.address(), "/status/500");
    get(client, listener.address(), "/slow?ms=120");

    WindowSnapshot w = router.metrics().window("shop", "v1", Duration.ofSeconds(30));
    assertThat(w.requests()).isEqualTo(12);
    assertThat(w.counts().success()).isEqualTo(7);
    assertThat(w.counts().clientError()).isEqualTo(3);
    assertThat(w.counts().redirection()).isEqualTo(1);
    assertThat(w.counts().serverError()).isEqualTo(1);
    assertThat(w.errorShare()).isEqualTo(1.0 / 12);
    assertThat(w.latency().getTotalCount()).isEqualTo(12);
    assertThat(w.percentile(50)).isPositive().isLessThan(Duration.ofMillis(100));
    assertThat(w.percentile(99)).isGreaterThanOrEqualTo(Duration.ofMillis(110));
    assertThat(router.metrics().window("shop", "v2", Duration.ofSeconds(30)).requests()).isZero();
    assertThat(router.metrics().window("other", "v9", Duration.ofSeconds(5)).requests()).isZero();
  }

  @Test
  void listenersWithTheSameNameShareTheirAppMetrics() throws Exception {
    Listener preview = router.listen(ListenerOptions.of("shop", ANY_PORT));
    preview.update(Fixtures.single("v1", v1));
    get(client, listener.address(), "/");
    get(client, preview.address(), "/");
    assertThat(router.metrics().window("shop", "v1", Duration.ofSeconds(5)).requests())
        .isEqualTo(2);
  }

  @Test
  void writesThePrometheusTextFormat() throws Exception {
    v2.healthStatus = 500;
    router
        .health()
        .watch(
            endpoint(v2),
            new HealthCheckOptions("/health", Duration.ofMinutes(1), Duration.ofSeconds(1), 1, 1)
                .withStartHealthy(false));
    get(client, listener.address(), "/status/201");
    get(client, listener.address(), "/status/503");
    StringBuilder out = new StringBuilder();
    router.metrics().writePrometheus(out);
    String text = out.toString();

    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        assertThat(line).matches("# (HELP|TYPE) sluice_[a-z_]+ .+");
      } else {
        assertThat(line).matches(SAMPLE);
      }
    }
    assertThat(text)
        .contains("# TYPE sluice_requests_total counter\n")
        .contains("sluice_requests_total{app=\"shop\",version=\"v1\",code=\"2xx\"} 1\n")
        .contains("sluice_requests_total{app=\"shop\",version=\"v1\",code=\"5xx\"} 1\n")
        .contains("sluice_requests_total{app=\"shop\",version=\"v2\",code=\"2xx\"} 0\n")
        .contains("sluice_upstream_failures_total{app=\"shop\",version=\"v1\"} 0\n")
        .contains("sluice_requests_in_flight{app=\"shop\",version=\"v1\"} 0\n")
        .contains("# TYPE sluice_request_duration_seconds histogram\n")
        .contains(
            "sluice_request_duration_seconds_bucket{app=\"shop\",version=\"v1\",le=\"10\"} 2\n")
        .contains(
            "sluice_request_duration_seconds_bucket{app=\"shop\",version=\"v1\",le=\"+Inf\"} 2\n")
        .contains("sluice_request_duration_seconds_count{app=\"shop\",version=\"v1\"} 2\n")
        .contains("sluice_request_duration_seconds_sum{app=\"shop\",version=\"v1\"} ")
        .contains("sluice_replica_healthy{app=\"shop\",version=\"v1\",replica=\"v1-0\"} 1\n")
        .contains("sluice_replica_healthy{app=\"shop\",version=\"v2\",replica=\"v2-0\"} 0\n");
  }
}
