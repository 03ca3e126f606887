package dev.sluice.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricUnit;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.release.AppState;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.router.shadow.ShadowDiff;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.router.shadow.ShadowWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of experiment and shadow results in status and history. */
class ResultJsonTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static final String SPEC =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          strategy:
            %s
      """;

  private static String snapshot(String strategy) throws Exception {
    return SpecParser.parse(SPEC.formatted(strategy), "test.yaml").apps().get(0).snapshot();
  }

  private final List<EventRecord> log = new ArrayList<>();

  private void append(Event... events) {
    for (Event e : events) {
      log.add(new EventRecord("shop", log.size() + 1, T0.plusSeconds(log.size()), e));
    }
  }

  /** v1 is stable, then release 2 of v2 starts with {@code strategy} and reaches its step 1. */
  private void started(String strategy) throws Exception {
    String spec = snapshot(strategy);
    append(
        new Event.ReleaseStarted(
            1,
            "v1",
            "blueGreen",
            null,
            "deploy",
            SpecParser.withStrategy(spec, "{\"blueGreen\":{}}"),
            false),
        new Event.TrafficSet(Map.of("v1", 100)),
        new Event.ReleaseSucceeded("v1"),
        new Event.ReleaseStarted(
            2, "v2", strategy.substring(0, strategy.indexOf(':')), "v1", "deploy", spec, false),
        new Event.StepReached(1, "running"));
  }

  private static ShadowDiff diff(String shadowVersion, String target) {
    ShadowDiff.Response same = new ShadowDiff.Response(200, Map.of(), "{\"items\":3}", 11);
    ShadowDiff.Response other = new ShadowDiff.Response(200, Map.of(), "{\"items\":4}", 11);
    return new ShadowDiff(
        T0, "shop", "v1", shadowVersion, "GET", target, same, other, List.of("body"));
  }

  private static ResultJson withDiffs(List<ShadowDiff> diffs) {
    return new ResultJson(
        new ShadowResults() {
          @Override
          public ShadowWindow window(String app, String version, Duration window) {
            return new ShadowWindow(window, 0, 0, 0, 0);
          }

          @Override
          public List<ShadowDiff> diffs(String app) {
            return diffs;
          }
        });
  }

  @Test
  void aShadowsStatusHasItsDiffRateComparedPairsAndTheNewestSamplesOfItsVersion() throws Exception {
    started(
        "shadow: {percent: 100, compare: {body: json}, analysis: {interval: 1s, window: 10s,"
            + " metrics: [{name: diffs, builtin: diff_rate, max: 0.01}]}, then: {canary: {steps:"
            + " [{setWeight: 50}]}}}");
    Measurement diffs =
        new Measurement(
            "diffs",
            MetricUnit.RATIO,
            0.02,
            null,
            Classification.HIGH,
            "2% > max 1%",
            250,
            null,
            null,
            null,
            250L);
    append(
        new Event.AnalysisMeasured(
            "shadow",
            1,
            new AnalysisResult(
                AnalysisResult.Verdict.FAIL, 0.0, "score 0", 250, 300, List.of(diffs))));
    AppState state = AppState.replay("shop", log);

    ObjectNode release = Json.MAPPER.createObjectNode();
    withDiffs(
            List.of(
                diff("v2", "/a"),
                diff("v9", "/old"),
                diff("v2", "/b"),
                diff("v2", "/c"),
                diff("v2", "/d")))
        .addTo(release, state);
    JsonNode shadow = release.path("shadow");
    assertThat(release.has("experiment")).isFalse();
    assertThat(shadow.path("version").asText()).isEqualTo("v2");
    assertThat(shadow.path("diffRate").asDouble()).isEqualTo(0.02);
    assertThat(shadow.path("compared").asLong()).isEqualTo(250);
    assertThat(shadow.path("window").asText()).isEqualTo("10s");
    assertThat(shadow.path("metric").asText()).isEqualTo("diffs");
    assertThat(shadow.path("samples")).hasSize(ResultJson.SAMPLES);
    assertThat(shadow.path("samples").findValuesAsText("target")).containsExactly("/a", "/b", "/c");
    assertThat(shadow.path("samples").get(0).path("shadow").path("body").asText())
        .isEqualTo("{\"items\":4}");

    JsonNode running = ResultJson.history("shop", log);
    assertThat(running).hasSize(1);
    assertThat(running.get(0).path("endSeq").asLong()).isZero();
    append(new Event.ReleaseFailed("shadow analysis: diffs"));
    JsonNode ended = ResultJson.history("shop", log).get(0);
    assertThat(ended.path("endSeq").asLong()).isEqualTo(log.size());
    assertThat(ended.path("status").asText()).isEqualTo("Failed");
    assertThat(ended.path("shadow").path("diffRate").asDouble()).isEqualTo(0.02);
    // history has the recorded numbers only, not the router's samples of the moment
    assertThat(ended.path("shadow").has("samples")).isFalse();
  }

  @Test
  void anExperimentsStatusHasEachMetricsDifferencePValueAndVerdict() throws Exception {
    started(
        "experiment: {variants: [{version: v1, weight: 50}, {version: v2, weight: 50}], duration:"
            + " 10m, analysis: {interval: 1m, metrics: [{name: p50, builtin: latency_p50}]}}");
    Measurement p50 =
        new Measurement(
            "p50",
            MetricUnit.MILLISECONDS,
            52.0,
            12.0,
            Classification.HIGH,
            "canary higher",
            400,
            null,
            Classification.HIGH,
            new Measurement.Test(0.98, 2.0e-9, 0.97, 40.0, 39.0, 41.0),
            null);
    append(
        new Event.AnalysisMeasured(
            "arm-v2",
            1,
            new AnalysisResult(AnalysisResult.Verdict.FAIL, 0.0, "", 400, 420, List.of(p50))));
    ObjectNode release = Json.MAPPER.createObjectNode();
    new ResultJson(null).addTo(release, AppState.replay("shop", log));
    JsonNode e = release.path("experiment");
    assertThat(release.has("shadow")).isFalse();
    assertThat(e.path("baseline").asText()).isEqualTo("v1");
    assertThat(e.path("better").asText()).isEqualTo("v1");
    assertThat(e.path("winner").isNull()).isTrue();
    JsonNode base = e.path("arms").get(0);
    assertThat(base.path("baseline").asBoolean()).isTrue();
    assertThat(base.path("requests").asLong()).isEqualTo(420);
    assertThat(base.path("verdict").isNull()).isTrue();
    JsonNode arm = e.path("arms").get(1);
    assertThat(arm.path("requests").asLong()).isEqualTo(400);
    assertThat(arm.path("verdict").asText()).isEqualTo("worse");
    JsonNode m = arm.path("metrics").get(0);
    assertThat(m.path("difference").asDouble()).isEqualTo(40.0);
    assertThat(m.path("relative").asDouble())
        .isCloseTo(40.0 / 12, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(m.path("p").asDouble()).isEqualTo(2.0e-9);
    assertThat(m.path("confidence").asDouble()).isEqualTo(0.98);
    assertThat(m.path("shiftLow").asDouble()).isEqualTo(39.0);
    assertThat(m.path("unit").asText()).isEqualTo("MILLISECONDS");
    assertThat(m.path("verdict").asText()).isEqualTo("worse");
    assertThat(m.path("description").asText())
        .isEqualTo("p50 52ms vs 12ms: +40ms (+333%), p=2e-9 at 98%, shift +39ms..+41ms: worse");
  }
}
