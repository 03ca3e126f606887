package dev.sluice.server.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.router.Router;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus provider against a real Prometheus scraping a real router's {@code /metrics} every
 * second, with the example alert rules of {@code docs/prometheus-alerts.yml} loaded.
 */
class PrometheusProviderTest {
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Path ALERTS = Path.of("..", "docs", "prometheus-alerts.yml");
  private static final String SHARE =
      "sum(sluice_requests_total{app=\"{{app}}\",version=\"{{version}}\",code=\"5xx\"})"
          + " / sum(sluice_requests_total{app=\"{{app}}\",version=\"{{version}}\"})";

  @TempDir static Path dir;

  private static Router router;
  private static TestServer stable;
  private static TestServer canary;
  private static TestServer metrics;
  private static Traffic traffic;
  private static PrometheusServer prometheus;
  private static Analyzer analyzer;
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    PrometheusServer.require("prometheus");
    router = Traffic.router();
    stable = TestServer.start(x -> TestServer.answer(x, 200, "text/plain", "ok"));
    AtomicInteger n = new AtomicInteger();
    canary =
        TestServer.start(
            x -> TestServer.answer(x, n.getAndIncrement() % 10 < 3 ? 500 : 200, "text/plain", ""));
    metrics =
        TestServer.start(
            x -> {
              StringBuilder text = new StringBuilder();
              router.metrics().writePrometheus(text);
              TestServer.answer(x, 200, "text/plain; version=0.0.4", text.toString());
            });
    traffic = new Traffic(router, stable, canary);
    traffic.send(200);
    prometheus = PrometheusServer.start(dir, "127.0.0.1:" + metrics.port(), ALERTS);
    analyzer = Analyzer.create(router.metrics(), dir);
    // Wait until a scrape has seen every request: from then on the counters are final.
    await()
        .atMost(30, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                query("sum(sluice_requests_total{app=\"" + traffic.app + "\"})")
                    == traffic.served("v1") + traffic.served("v2"));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c :
        new AutoCloseable[] {analyzer, prometheus, traffic, metrics, canary, stable}) {
      if (c != null) {
        c.close();
      }
    }
    if (router != null) {
      router.close();
    }
    client.close();
  }

  /** The value of a query's first sample, straight from the Prometheus API; NaN when none. */
  private static double query(String promql) throws Exception {
    JsonNode body = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode result = body.path("data").path("result");
    return result.isEmpty() ? Double.NaN : result.get(0).path("value").path(1).asDouble();
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create(prometheus.url + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return json.readTree(r.body());
  }

  private static MetricSpec prom(String name, String address, String query, Conditions c) {
    return MetricSpec.of(name, new MetricSpec.Prometheus(address, query, Duration.ofSeconds(5)), c);
  }

  private static AnalysisResult analyze(MetricSpec... metrics) {
    return analyzer
        .analyze(AnalysisSpec.of(List.of(metrics)), traffic.app, "v1", "v2", WINDOW)
        .join();
  }

  @Test
  void theFiveHundredsShareByVersionFailsTheCanary() {
    double share = router.metrics().window(traffic.app, "v2", WINDOW).errorShare();
    assertThat(share).isBetween(0.25, 0.35);

    AnalysisResult r =
        analyze(
            prom("errors", prometheus.url, SHARE, new Conditions(0.1, null, null, 0.05))
                .withCritical(true),
            prom(
                "scrapes",
                prometheus.url,
                "count_over_time(sluice_requests_total{app=\"{{app}}\",version=\"{{canary}}\","
                    + "code=\"2xx\"}[{{window}}])",
                new Conditions(null, 1.0, null, null)));

    Measurement errors = r.measurements().get(0);
    assertThat(errors.classification()).isEqualTo(Classification.HIGH);
    assertThat(errors.canary()).isCloseTo(share, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(errors.baseline()).isZero();
    assertThat(errors.describe())
        .startsWith("errors 0.")
        .contains(" vs baseline 0: High (0.")
        .contains(" > max 0.1; increase +0.")
        .endsWith(" > maxIncrease 0.05)");
    assertThat(r.measurements().get(1).classification()).isEqualTo(Classification.PASS);
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).isEqualTo("critical metric errors is High");
  }

  @Test
  void theStableVersionAloneWouldPass() {
    AnalysisResult r =
        analyzer
            .analyze(
                AnalysisSpec.of(
                    List.of(prom("errors", prometheus.url, SHARE, Conditions.max(0.1)))),
                traffic.app,
                "v2",
                "v1",
                WINDOW)
            .join();
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.measurements().get(0).describe()).isEqualTo("errors 0: Pass");
  }

  @Test
  void noSeriesOrNaNIsNoDataNeverAFailure() {
    AnalysisResult r =
        analyze(
            prom(
                "missing",
                prometheus.url,
                "sum(sluice_requests_total{app=\"{{app}}\",version=\"nope\"})",
                Conditions.max(1)),
            prom(
                "nan",
                prometheus.url,
                "sum(sluice_requests_total{app=\"{{app}}\",code=\"1xx\"})"
                    + " / sum(sluice_requests_total{app=\"{{app}}\",code=\"1xx\"})",
                Conditions.max(1)));
    assertThat(r.measurements())
        .extracting(Measurement::describe)
        .containsExactly(
            "missing: NoData (the query returned no samples)",
            "nan: NoData (the query returned NaN)");
    assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
  }

  @Test
  void aBadQueryOrAnUnreachableServerIsAnErrorWithPrometheusOwnWords() {
    int closed = PrometheusServer.freePort();
    AnalysisResult r =
        analyze(
            prom("bad", prometheus.url, "sum(", Conditions.max(1)),
            prom("gone", "http://127.0.0.1:" + closed, "up", Conditions.max(1)));
    assertThat(r.measurements().get(0).classification()).isEqualTo(Classification.ERROR);
    assertThat(r.measurements().get(0).error())
        .startsWith("Prometheus answered 400: bad_data: ")
        .contains("parse error");
    assertThat(r.measurements().get(1).error())
        .isEqualTo("cannot connect to http://127.0.0.1:" + closed);
    assertThat(r.verdict()).isEqualTo(Verdict.ERROR);
    assertThat(r.reason()).isEqualTo("2 metrics could not be measured: bad, gone");
  }

  @Test
  void theExampleAlertRulesEvaluateAgainstSluicesMetrics() throws Exception {
    assertThat(Files.isRegularFile(ALERTS)).isTrue();
    await()
        .atMost(20, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              List<String> health = new ArrayList<>();
              for (JsonNode group : get("/api/v1/rules").path("data").path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                  health.add(rule.path("name").asText() + "=" + rule.path("health").asText());
                }
              }
              assertThat(health).hasSize(9).allMatch(h -> h.endsWith("=ok"), "every rule ok");
            });
    // The recording rules give the 5xx share by version once the counters move between scrapes:
    // fresh traffic on an app of its own, so the other tests' counters stay final.
    try (Traffic more = new Traffic(router, stable, canary)) {
      String ratio = "sluice:error_ratio:5m{app=\"" + more.app + "\",version=\"%s\"}";
      await()
          .atMost(30, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                more.send(20);
                assertThat(query(ratio.formatted("v2"))).isBetween(0.15, 0.45);
                assertThat(query(ratio.formatted("v1"))).isZero();
              });
    }
  }

  @Test
  void promtoolAcceptsTheExampleAlertRules() throws Exception {
    Path promtool = PrometheusServer.require("promtool");
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "rules", ALERTS.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("SUCCESS: 9 rules found");
  }
}
