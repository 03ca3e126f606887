package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.core.spec.Problem;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.internal.Problems;
import dev.sluice.core.spec.internal.YamlValue;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class AnalysisSpecReaderTest {

  private static final String FULL =
      """
      analysis:
        interval: 1s
        count: 30
        initialDelay: 5s
        window: 10s
        failureLimit: 1
        consecutiveErrorLimit: 4
        inconclusiveLimit: 3
        minRequests: 20
        confidence: 0.99
        thresholds: {pass: 80, marginal: 60}
        metrics:
          - {name: errors, builtin: error_rate, max: 0.05, critical: true}
          - {name: p99, builtin: latency_p99, maxRatioToBaseline: 1.5, max: 300ms, weight: 2}
          - name: prom-errors
            prometheus:
              address: "http://127.0.0.1:9091/"
              query: sum(rate(x{version="{{version}}"}[{{window}}]))
            maxIncrease: 0.01
          - {name: queue, http: {url: "http://127.0.0.1:9000/stats?app={{app}}", jsonPointer: /queue/depth, headers: {Authorization: Bearer x}, timeout: 2s}, max: 100}
          - {name: smoke, command: {run: ["./check.sh", "--quick"], timeout: 10s}}
      """;

  private record Read(@Nullable AnalysisSpec spec, List<String> problems) {}

  private static Read read(String yaml) {
    Problems problems = new Problems("sluice.yaml");
    YamlValue root = YamlValue.root(SpecParser.compose(yaml, problems), problems);
    AnalysisSpec spec = AnalysisSpecReader.read(root.fields("").get("analysis"));
    // In input order, as SpecParser reports them.
    List<String> texts =
        problems.list().stream()
            .sorted(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column))
            .map(Problem::toString)
            .toList();
    assertThat(spec == null).as("null exactly when there are problems").isEqualTo(!texts.isEmpty());
    return new Read(spec, texts);
  }

  private static List<String> problems(String yaml) {
    return read(yaml).problems();
  }

  @Test
  void readsTheIssuesExample() {
    AnalysisSpec spec = read(FULL).spec();
    assertThat(spec).isNotNull();
    assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(spec.count()).isEqualTo(30);
    assertThat(spec.initialDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(spec.failureLimit()).isEqualTo(1);
    assertThat(spec.consecutiveErrorLimit()).isEqualTo(4);
    assertThat(spec.inconclusiveLimit()).isEqualTo(3);
    assertThat(spec.minRequests()).isEqualTo(20);
    assertThat(spec.confidence()).isEqualTo(0.99);
    assertThat(spec.passScore()).isEqualTo(80);
    assertThat(spec.marginalScore()).isEqualTo(60);
    assertThat(spec.metrics()).hasSize(5);

    MetricSpec errors = spec.metric("errors");
    assertThat(errors)
        .isEqualTo(
            new MetricSpec(
                "errors",
                new Builtin(BuiltinMetric.ERROR_RATE),
                Conditions.max(0.05),
                1,
                true,
                true,
                MetricSpec.ERROR_EFFECT));
    MetricSpec p99 = spec.metric("p99");
    assertThat(p99.conditions()).isEqualTo(new Conditions(300.0, null, 1.5, null));
    assertThat(p99.weight()).isEqualTo(2);
    assertThat(p99.judge()).isTrue();
    assertThat(p99.effectSize()).isEqualTo(MetricSpec.LATENCY_EFFECT);
    assertThat(spec.metric("prom-errors").provider())
        .isEqualTo(
            new MetricSpec.Prometheus(
                "http://127.0.0.1:9091",
                "sum(rate(x{version=\"{{version}}\"}[{{window}}]))",
                Duration.ofSeconds(5)));
    assertThat(spec.metric("prom-errors").conditions().maxIncrease()).isEqualTo(0.01);
    assertThat(spec.metric("prom-errors").judge()).isFalse();
    assertThat(spec.metric("queue").provider())
        .isEqualTo(
            new MetricSpec.Http(
                "http://127.0.0.1:9000/stats?app={{app}}",
                "/queue/depth",
                Map.of("Authorization", "Bearer x"),
                Duration.ofSeconds(2)));
    assertThat(spec.metric("smoke").provider())
        .isEqualTo(
            new MetricSpec.Command(List.of("./check.sh", "--quick"), Duration.ofSeconds(10)));
    assertThat(spec.metric("smoke").conditions().isEmpty()).isTrue();
  }

  @Test
  void fillsInTheDefaults() {
    AnalysisSpec spec =
        read("""
                analysis:
                  metrics:
                    - {name: p50, builtin: latency_p50, maxIncrease: 20}
                """)
            .spec();
    assertThat(spec)
        .isEqualTo(
            AnalysisSpec.of(
                List.of(
                    MetricSpec.of(
                        "p50",
                        new Builtin(BuiltinMetric.LATENCY_P50),
                        new Conditions(null, null, null, 20.0)))));
    assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.window()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.count()).isNull();
    assertThat(spec.inconclusiveLimit()).isNull();
    assertThat(spec.minRequests()).isEqualTo(10);
    assertThat(spec.confidence()).isEqualTo(0.98);
  }

  @Test
  void theWindowFollowsTheIntervalUpToTheRoutersTenMinutes() {
    String yaml =
        """
        analysis:
          interval: %s
          metrics: [{name: e, builtin: error_rate, max: 0.1}]
        """;
    assertThat(read(yaml.formatted("30s")).spec().window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(read(yaml.formatted("1h")).spec().window()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void reportsRunSettingsOutOfRange() {
    assertThat(
            problems(
                """
                analysis:
                  interval: 500ms
                  count: 0
                  failureLimit: -1
                  inconclusiveLimit: many
                  confidence: 1
                  thresholds: {pass: 50, marginal: 70}
                  metrics: [{name: e, builtin: error_rate, max: 0.1}]
                  intervall: 1s
                """))
        .containsExactly(
            "sluice.yaml:2:13: analysis.interval: \"500ms\" (expected: a duration like 500ms, 30s,"
                + " 10m or 1h30m, 1s..1h)",
            "sluice.yaml:3:10: analysis.count: 0 (expected: 1..1000000)",
            "sluice.yaml:4:17: analysis.failureLimit: -1 (expected: 0..1000)",
            "sluice.yaml:5:22: analysis.inconclusiveLimit: \"many\" (expected: an integer 0..1000)",
            "sluice.yaml:6:15: analysis.confidence: 1 (expected: 0.5..0.9999)",
            "sluice.yaml:7:36: analysis.thresholds.marginal: 70 (expected: at most the pass score"
                + " 50)",
            "sluice.yaml:9:3: analysis.intervall: unknown field (expected: 'interval'? one of"
                + " confidence, consecutiveErrorLimit, count, failureLimit, inconclusiveLimit,"
                + " initialDelay, interval, metrics, minRequests, thresholds, window)");
  }

  @Test
  void requiresAtLeastOneMetricWithUniqueNames() {
    assertThat(problems("analysis: {interval: 1s}"))
        .containsExactly(
            "sluice.yaml:1:11: analysis.metrics: missing (expected: a list of at least one metric)");
    assertThat(
            problems(
                """
                analysis:
                  metrics:
                    - {name: e, builtin: error_rate, max: 0.1}
                    - {name: e, builtin: latency_p99, max: 100}
                    - {name: "bad name", builtin: latency_p99, max: 100}
                """))
        .containsExactly(
            "sluice.yaml:4:14: analysis.metrics[1].name: \"e\" (expected: a name not used before"
                + " (analysis.metrics[0].name))",
            "sluice.yaml:5:14: analysis.metrics[2].name: \"bad name\" (expected: a metric name:"
                + " letters, digits, '.', '_' and '-', starting with a letter or digit, at most"
                + " 63)");
  }

  @Test
  void reportsProviderMistakes() {
    assertThat(
            problems(
                """
                analysis:
                  metrics:
                    - {name: a, max: 1}
                    - {name: b, builtin: error_rate, command: {run: [x]}, max: 1}
                    - {name: c, builtin: latency_p98, max: 1}
                    - {name: d, prometheus: {address: "127.0.0.1:9090", query: " "}, max: 1}
                    - {name: e, prometheus: {address: "http://p:9090", query: "up{x='{{job}}'}"}, max: 1}
                    - {name: f, http: {url: "http://h/{{app}}", jsonPointer: "queue/depth"}, max: 1}
                    - {name: g, command: {run: []}}
                """))
        .containsExactly(
            "sluice.yaml:3:7: analysis.metrics[0]: no provider (expected: exactly one of: builtin,"
                + " prometheus, http, command)",
            "sluice.yaml:4:7: analysis.metrics[1]: builtin and command (expected: exactly one of:"
                + " builtin, prometheus, http, command)",
            "sluice.yaml:5:26: analysis.metrics[2].builtin: \"latency_p98\" (expected: one of"
                + " request_rate, error_rate, latency_p50, latency_p90, latency_p95, latency_p99,"
                + " upstream_failures, diff_rate)",
            "sluice.yaml:6:39: analysis.metrics[3].prometheus.address: \"127.0.0.1:9090\""
                + " (expected: an http URL like http://127.0.0.1:9090)",
            "sluice.yaml:6:64: analysis.metrics[3].prometheus.query: \" \" (expected: a PromQL"
                + " query)",
            "sluice.yaml:7:63: analysis.metrics[4].prometheus.query: \"{{job}}\" (expected:"
                + " placeholders among {{app}}, {{version}}, {{stable}}, {{canary}}, {{window}})",
            "sluice.yaml:8:62: analysis.metrics[5].http.jsonPointer: \"queue/depth\" (expected: a"
                + " JSON pointer like /queue/depth (RFC 6901))",
            "sluice.yaml:9:32: analysis.metrics[6].command.run: a list (expected: a non-empty list"
                + " of strings: a command)");
  }

  @Test
  void reportsConditionMistakesInTheMetricsUnit() {
    assertThat(
            problems(
                """
                analysis:
                  metrics:
                    - {name: a, builtin: error_rate, max: 5}
                    - {name: b, builtin: latency_p99, max: fast}
                    - {name: c, builtin: latency_p99, maxRatioToBaseline: 0}
                    - {name: d, builtin: request_rate, maxRatioToBaseline: 1.5}
                    - {name: e, prometheus: {address: "http://p:9090", query: "up"}, maxIncrease: 1}
                    - {name: f, command: {run: [x]}, maxIncrease: 1}
                    - {name: g, builtin: upstream_failures}
                    - {name: h, builtin: latency_p50, judge: false}
                """))
        .containsExactly(
            "sluice.yaml:3:43: analysis.metrics[0].max: 5 (expected: a share of requests 0..1,"
                + " e.g. 0.05 for 5%)",
            "sluice.yaml:4:44: analysis.metrics[1].max: \"fast\" (expected: milliseconds (a number"
                + " 0 or more) or a duration like 300ms or 1s)",
            "sluice.yaml:5:59: analysis.metrics[2].maxRatioToBaseline: 0 (expected: a ratio"
                + " greater than 0, e.g. 1.5)",
            "sluice.yaml:6:60: analysis.metrics[3].maxRatioToBaseline: 1.5 (expected: no baseline"
                + " comparison for request_rate, which follows the traffic split; use min)",
            "sluice.yaml:7:83: analysis.metrics[4].maxIncrease: 1 (expected: a query with"
                + " {{version}}, so the same query can measure the baseline)",
            "sluice.yaml:8:51: analysis.metrics[5].maxIncrease: 1 (expected: no baseline"
                + " comparison for a command; use max or min)",
            "sluice.yaml:9:7: analysis.metrics[6]: nothing to check (expected: at least one of max,"
                + " min, maxRatioToBaseline, maxIncrease)",
            "sluice.yaml:10:7: analysis.metrics[7]: nothing to check (expected: at least one of"
                + " max, min, maxRatioToBaseline, maxIncrease (or judge: true))");
  }

  @Test
  void theJudgeRunsOnlyWhereThereAreSamples() {
    assertThat(
            problems(
                """
                analysis:
                  metrics:
                    - {name: a, builtin: request_rate, min: 1, judge: true}
                    - {name: b, builtin: error_rate, max: 0.1, judge: false, effectSize: 0.1}
                    - {name: c, builtin: latency_p90, effectSize: 0.7}
                """))
        .containsExactly(
            "sluice.yaml:3:55: analysis.metrics[0].judge: true (expected: false: only builtin"
                + " error_rate and latency metrics have per-request samples to judge)",
            "sluice.yaml:4:74: analysis.metrics[1].effectSize: 0.1 (expected: no effectSize: it"
                + " bounds the judge, which does not run here)",
            "sluice.yaml:5:51: analysis.metrics[2].effectSize: 0.7 (expected: 0..0.5)");
    AnalysisSpec spec =
        read("""
                analysis:
                  metrics: [{name: c, builtin: latency_p90, effectSize: 0.2}]
                """)
            .spec();
    assertThat(spec.metrics().get(0).judge()).isTrue();
    assertThat(spec.metrics().get(0).effectSize()).isEqualTo(0.2);
  }

  @Test
  void latencyLimitsTakeMillisecondsOrDurations() {
    AnalysisSpec spec =
        read("""
                analysis:
                  metrics:
                    - {name: a, builtin: latency_p99, max: 250}
                    - {name: b, builtin: latency_p99, max: 1s500ms, maxIncrease: 20ms}
                """)
            .spec();
    assertThat(spec.metric("a").conditions().max()).isEqualTo(250.0);
    assertThat(spec.metric("b").conditions().max()).isEqualTo(1500.0);
    assertThat(spec.metric("b").conditions().maxIncrease()).isEqualTo(20.0);
  }

  @Test
  void httpHeadersMustBeNamesWithStrings() {
    assertThat(
            problems(
                """
                analysis:
                  metrics:
                    - name: q
                      http:
                        url: "ftp://h/x"
                        jsonPointer: /x
                        headers: {"bad header": x, X-Ok: [1]}
                      max: 1
                """))
        .containsExactly(
            "sluice.yaml:5:14: analysis.metrics[0].http.url: \"ftp://h/x\" (expected: an http URL"
                + " like http://127.0.0.1:9000/stats)",
            "sluice.yaml:7:33: analysis.metrics[0].http.headers.bad header: \"bad header\""
                + " (expected: a header name)",
            "sluice.yaml:7:42: analysis.metrics[0].http.headers.X-Ok: a list (expected: a"
                + " string)");
  }
}
