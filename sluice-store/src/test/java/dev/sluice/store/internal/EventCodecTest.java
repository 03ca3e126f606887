package dev.sluice.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricUnit;
import dev.sluice.core.event.Event;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  static final List<Event> EVERY_KIND =
      List.of(
          new Event.ReleaseStarted(3, "v3", "canary", "v2", "deploy", "{\"name\":\"shop\"}", false),
          new Event.ReleaseStarted(1, "v1", "blueGreen", null, "rollback", "{}", true),
          new Event.StepReached(2, "setWeight 25"),
          new Event.AnalysisMeasured(
              "background",
              4,
              new AnalysisResult(
                  AnalysisResult.Verdict.FAIL,
                  0.0,
                  "critical metric errors is High",
                  120,
                  480,
                  List.of(
                      new Measurement(
                          "errors",
                          MetricUnit.values()[0],
                          0.31,
                          0.0,
                          Classification.HIGH,
                          "31% > max 5%",
                          120,
                          null),
                      new Measurement(
                          "p99",
                          MetricUnit.values()[0],
                          null,
                          null,
                          Classification.ERROR,
                          "timeout",
                          120,
                          "timeout"),
                      new Measurement(
                          "p50",
                          MetricUnit.MILLISECONDS,
                          52.0,
                          12.0,
                          Classification.HIGH,
                          "canary higher",
                          120,
                          null,
                          Classification.HIGH,
                          new Measurement.Test(0.98, 1.5e-9, 0.97, 40.0, 38.0, null),
                          null),
                      new Measurement(
                          "diffs",
                          MetricUnit.RATIO,
                          0.02,
                          null,
                          Classification.HIGH,
                          "2% > max 1%",
                          120,
                          null,
                          null,
                          null,
                          250L)))),
          new Event.ReplicasSet("v3", 3, 2),
          new Event.VersionReady("v3", 2),
          new Event.HooksFinished("prePromotion", false, "GET /smoke: 500"),
          new Event.Paused("step 4 waits"),
          new Event.PromoteRequested(true, "alice"),
          new Event.PromoteRequested(false, "bob", "v3"),
          new Event.ReleaseContinued(4, "canary"),
          new Event.TrafficSet(Map.of("v2", 75, "v3", 25)),
          new Event.ReleaseSucceeded("v3"),
          new Event.ReleaseFailed("not healthy"),
          new Event.RolledBack("v2", "errors"),
          new Event.ReleaseAborted("aborted by bob"));

  @Test
  void everyKindOfEventReadsBackEqual() {
    assertThat(EVERY_KIND.stream().map(Event::getClass).distinct().count())
        .as("one example of every event type")
        .isEqualTo(Event.class.getPermittedSubclasses().length);
    for (Event e : EVERY_KIND) {
      assertThat(EventCodec.decode(e.type(), EventCodec.encode(e))).isEqualTo(e);
    }
  }

  @Test
  void anUnknownTypeIsReportedNotGuessed() {
    assertThatThrownBy(() -> EventCodec.decode("Teleported", "{}"))
        .hasMessage("unknown event type in the log: Teleported");
  }

  @Test
  void aMeasurementLoggedBeforeItHadTestStatisticsReadsBackWithoutThem() {
    String old =
        "{\"run\":\"arm-v2\",\"n\":1,\"result\":{\"verdict\":\"PASS\",\"score\":100.0,"
            + "\"reason\":\"\",\"canaryRequests\":10,\"baselineRequests\":12,\"measurements\":"
            + "[{\"metric\":\"p50\",\"unit\":\"MILLISECONDS\",\"canary\":10.0,\"baseline\":12.0,"
            + "\"classification\":\"PASS\",\"reason\":\"\",\"requests\":10,\"error\":null,"
            + "\"judged\":\"LOW\"}]}}";
    Event.AnalysisMeasured e = (Event.AnalysisMeasured) EventCodec.decode("AnalysisMeasured", old);
    Measurement m = e.result().measurements().get(0);
    assertThat(m.judged()).isEqualTo(Classification.LOW);
    assertThat(m.test()).isNull();
    assertThat(m.observations()).isNull();
  }
}
