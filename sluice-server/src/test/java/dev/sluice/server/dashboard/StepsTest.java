package dev.sluice.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.event.Event;
import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.SpecParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steps the release page lists for strategies without steps in their spec. */
class StepsTest {

  private static Release started(String strategyYaml, String strategyName) throws Exception {
    AppSpec app =
        SpecParser.parse(
                """
                apps:
                  - name: shop
                    listen: 127.0.0.1:8080
                    runtime: {process: {command: [app]}}
                    strategy:
                """
                    + strategyYaml.indent(8),
                "sluice.yaml")
            .apps()
            .get(0);
    AppState state =
        AppState.empty("shop")
            .applyAll(
                List.of(
                    new Event.ReleaseStarted(
                        1, "v2", strategyName, "v1", "deploy", app.snapshot(), false)),
                Instant.EPOCH);
    return state.active().orElseThrow();
  }

  private static List<String> labels(Release r) {
    List<String> out = new ArrayList<>();
    for (JsonNode step : Steps.of(r)) {
      out.add(step.path("label").asText() + " [" + step.path("state").asText() + "]");
    }
    return out;
  }

  @Test
  void anExperimentListsItsSplitTheChoiceAndThePromotion() throws Exception {
    Release r =
        started(
            """
            experiment:
              variants: [{version: v1, weight: 70}, {version: v2, weight: 30}]
              duration: 1h
              autoPromote: winner
              analysis: {interval: 1m, metrics: [{name: p50, builtin: latency_p50}]}
            """,
            "experiment");
    assertThat(labels(r))
        .containsExactly(
            "split users v1 70% / v2 30% for 1h, compared [current]",
            "the winner, or a person's choice when none is significant [ahead]",
            "the chosen arm takes all traffic [ahead]");
  }

  @Test
  void aShadowSaysUsersSeeOnlyTheStableVersion() throws Exception {
    Release r =
        started(
            """
            shadow:
              percent: 25
              compare: {body: json}
            """,
            "shadow");
    assertThat(labels(r))
        .containsExactly(
            "copies of 25% of requests to v2, answers compared; users see only the stable"
                + " version [current]",
            "go on as the next strategy [ahead]");
  }
}
