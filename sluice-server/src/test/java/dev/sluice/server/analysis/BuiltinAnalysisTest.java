package dev.sluice.server.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.BuiltinMetric;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.router.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The builtin provider end to end: a real router in front of real upstream servers, a canary that
 * misbehaves (or not), and the analyzer's verdict from the router's own windows.
 */
class BuiltinAnalysisTest {
  private static final Duration WINDOW = Duration.ofSeconds(30);

  private static Router router;

  private final AtomicInteger canaryRequests = new AtomicInteger();
  private final TestServer fast =
      TestServer.start(x -> TestServer.answer(x, 200, "text/plain", "ok"));
  private TestServer canary;
  private Traffic traffic;
  private Analyzer analyzer;

  @BeforeAll
  static void startRouter() {
    router = Traffic.router();
  }

  @AfterAll
  static void stopRouter() {
    router.close();
  }

  @AfterEach
  void stop() {
    if (analyzer != null) {
      analyzer.close();
    }
    if (traffic != null) {
      traffic.close();
    }
    if (canary != null) {
      canary.close();
    }
    fast.close();
  }

  private static MetricSpec errors() {
    return MetricSpec.of("errors", new Builtin(BuiltinMetric.ERROR_RATE), Conditions.max(0.05))
        .withCritical(true);
  }

  private static MetricSpec p50() {
    return MetricSpec.of("p50", new Builtin(BuiltinMetric.LATENCY_P50), Conditions.NONE);
  }

  /** Sends {@code n} requests and waits until the router has counted them all. */
  private void send(int n) {
    long before = traffic.served("v1") + traffic.served("v2");
    traffic.send(n);
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> traffic.served("v1") + traffic.served("v2") == before + n);
  }

  private AnalysisResult analyze(AnalysisSpec spec) {
    analyzer = Analyzer.create(router.metrics(), Path.of("."));
    return analyzer.analyze(spec, traffic.app, "v1", "v2", WINDOW).join();
  }

  @Test
  void aCanaryWithThirtyPercentErrorsFails() {
    canary =
        TestServer.start(
            x -> {
              int i = canaryRequests.getAndIncrement();
              TestServer.answer(x, i % 10 < 3 ? 500 : 200, "text/plain", "canary");
            });
    traffic = new Traffic(router, fast, canary);
    send(200);

    AnalysisResult r = analyze(AnalysisSpec.of(List.of(errors(), p50())));

    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.score()).isZero();
    assertThat(r.reason()).isEqualTo("critical metric errors is High");
    Measurement e = r.measurements().get(0);
    assertThat(e.classification()).isEqualTo(Classification.HIGH);
    assertThat(e.canary()).isBetween(0.25, 0.35);
    assertThat(e.baseline()).isZero();
    assertThat(e.requests()).isEqualTo(traffic.served("v2"));
    assertThat(e.describe())
        .matches(
            "errors 3\\d(\\.\\d+)?% vs baseline 0%: High \\(3\\d(\\.\\d+)?% > max 5%; canary higher"
                + " \\(Mann-Whitney p=.+ < 0\\.02, A=0\\.6\\d*\\)\\)");
  }

  @Test
  void aCanaryTwoHundredMillisecondsSlowerIsHighOnLatency() {
    canary =
        TestServer.start(
            x -> {
              Thread.sleep(200); // the canary's slowness itself, not synchronisation
              TestServer.answer(x, 200, "text/plain", "slow");
            });
    traffic = new Traffic(router, fast, canary);
    send(100);

    AnalysisResult r = analyze(AnalysisSpec.of(List.of(errors(), p50())));

    Measurement latency = r.measurements().get(1);
    assertThat(latency.classification()).isEqualTo(Classification.HIGH);
    assertThat(latency.canary()).isGreaterThanOrEqualTo(200.0);
    assertThat(latency.baseline()).isLessThan(latency.canary());
    // The shift is the canary's 200 ms give or take scheduling on a busy machine.
    assertThat(latency.reason())
        .startsWith("canary higher (Mann-Whitney p=")
        .containsPattern("shift \\+(1[5-9]\\d|2\\d\\d)(\\.\\d+)?ms");
    assertThat(r.measurements().get(0).classification()).isEqualTo(Classification.PASS);
    assertThat(r.score()).isEqualTo(50.0);
    assertThat(r.verdict()).isEqualTo(Verdict.MARGINAL);
  }

  @Test
  void aCanaryIdenticalToItsBaselinePasses() {
    // Both versions are served by one upstream, so their latencies come from one distribution.
    traffic = new Traffic(router, fast, fast);
    send(300);

    AnalysisResult r =
        analyze(
            AnalysisSpec.of(
                List.of(
                    errors(),
                    p50(),
                    MetricSpec.of(
                        "p99", new Builtin(BuiltinMetric.LATENCY_P99), Conditions.max(5_000)))));

    assertThat(r.verdict()).as(r.describe()).isEqualTo(Verdict.PASS);
    assertThat(r.score()).isEqualTo(100.0);
    assertThat(r.measurements())
        .extracting(Measurement::classification)
        .containsOnly(Classification.PASS);
    assertThat(r.canaryRequests()).isEqualTo(traffic.served("v2")).isPositive();
    assertThat(r.baselineRequests()).isEqualTo(traffic.served("v1")).isPositive();
  }

  @Test
  void tooFewRequestsAreInconclusiveNeverAFailure() {
    // Every canary answer is a 500, but five requests are not evidence.
    canary = TestServer.start(x -> TestServer.answer(x, 500, "text/plain", "broken"));
    traffic = new Traffic(router, fast, canary);
    send(10);
    long served = traffic.served("v2");

    AnalysisResult r = analyze(AnalysisSpec.of(List.of(errors(), p50())).withMinRequests(50));

    assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(r.measurements()).isEmpty();
    assertThat(r.describe())
        .isEqualTo(
            "INCONCLUSIVE (canary served "
                + served
                + (served == 1 ? " request" : " requests")
                + " in the last 30s, fewer than minRequests 50)");
  }

  @Test
  void withoutAStableVersionOnlyTheCanarysOwnLimitsCount() {
    canary = TestServer.start(x -> TestServer.answer(x, 200, "text/plain", "canary"));
    traffic = new Traffic(router, fast, canary);
    send(40);
    analyzer = Analyzer.create(router.metrics(), Path.of("."));

    AnalysisResult alone =
        analyzer
            .analyze(
                AnalysisSpec.of(
                    List.of(
                        errors(),
                        MetricSpec.of(
                                "p99",
                                new Builtin(BuiltinMetric.LATENCY_P99),
                                Conditions.maxRatioToBaseline(1.5))
                            .withJudge(false))),
                traffic.app,
                null,
                "v2",
                WINDOW)
            .join();

    assertThat(alone.verdict()).isEqualTo(Verdict.PASS);
    assertThat(alone.baselineRequests()).isZero();
    assertThat(alone.measurements().get(0).describe())
        .isEqualTo("errors 0%: Pass (judge skipped: no stable version to compare with)");
    assertThat(alone.measurements().get(1).classification()).isEqualTo(Classification.NODATA);
    assertThat(alone.measurements().get(1).reason())
        .isEqualTo("maxRatioToBaseline not checked: no stable version to compare with");
  }

  @Test
  void aWindowTheRouterDoesNotKeepMakesAnErrorResultNotAnException() {
    traffic = new Traffic(router, fast, fast);
    analyzer = Analyzer.create(router.metrics(), Path.of("."));
    AnalysisResult r =
        analyzer
            .analyze(
                AnalysisSpec.of(List.of(errors())), traffic.app, "v1", "v2", Duration.ofMinutes(11))
            .join();
    assertThat(r.verdict()).isEqualTo(Verdict.ERROR);
    assertThat(r.reason())
        .isEqualTo(
            "could not read the router's metrics: IllegalArgumentException: window: PT11M"
                + " (expected: 1s..10m)");
  }
}
