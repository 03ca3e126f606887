package dev.sluice.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.EventRecord;
import dev.sluice.core.spec.NotificationSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifierTest {
  private HttpServer server;
  private final ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private String url;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/hook",
        ex -> {
          String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int code = failuresLeft.getAndDecrement() > 0 ? 503 : 204;
          if (code == 204) {
            received.add(body);
          }
          ex.sendResponseHeaders(code, -1);
          ex.close();
        });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook?key=secret";
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static EventRecord record(long seq, Event e) {
    return new EventRecord("shop", seq, Instant.parse("2026-05-01T12:00:00Z"), e);
  }

  @Test
  void postsTheMilestonesAWebhookAsksForAsJson() throws Exception {
    try (Notifier n =
        new Notifier(
            app -> List.of(new NotificationSpec(url, List.of("rolledBack"), "json")),
            Duration.ofMillis(20))) {
      n.accept(record(1, new Event.ReleaseStarted(2, "v2", "canary", "v1", "deploy", "{}", false)));
      n.accept(record(2, new Event.TrafficSet(Map.of("v2", 10, "v1", 90))));
      n.accept(record(3, new Event.RolledBack("v1", "errors 0.31 > max 0.05")));
      await().until(() -> received.size() == 1);
      JsonNode j = new ObjectMapper().readTree(received.peek());
      assertThat(j.path("app").asText()).isEqualTo("shop");
      assertThat(j.path("event").asText()).isEqualTo("rolledBack");
      assertThat(j.path("seq").asLong()).isEqualTo(3);
      assertThat(j.path("at").asText()).isEqualTo("2026-05-01T12:00:00Z");
      assertThat(j.path("description").asText())
          .isEqualTo("rolled back to v1: errors 0.31 > max 0.05");
      assertThat(j.path("data").path("to").asText()).isEqualTo("v1");
    }
  }

  @Test
  void aFailedMeasurementIsTheAnalysisFailedMilestoneAndAPassingOneIsNone() {
    var fail =
        new dev.sluice.core.analysis.AnalysisResult(
            dev.sluice.core.analysis.AnalysisResult.Verdict.FAIL, 0.0, "x", 10, 10, List.of());
    var pass =
        new dev.sluice.core.analysis.AnalysisResult(
            dev.sluice.core.analysis.AnalysisResult.Verdict.PASS, 100.0, "", 10, 10, List.of());
    assertThat(Notifier.milestone(new Event.AnalysisMeasured("background", 3, fail)))
        .isEqualTo("analysisFailed");
    assertThat(Notifier.milestone(new Event.AnalysisMeasured("background", 3, pass))).isNull();
    assertThat(Notifier.milestone(new Event.TrafficSet(Map.of("v1", 100)))).isNull();
  }

  @Test
  void slackFormatIsAMessageText() {
    String body = Notifier.body("slack", "promoted", record(9, new Event.ReleaseSucceeded("v2")));
    assertThat(body).isEqualTo("{\"text\":\"*shop*: v2 is stable\"}");
  }

  @Test
  void aFailingReceiverIsRetriedWithBackoff() {
    failuresLeft.set(2);
    try (Notifier n =
        new Notifier(
            app -> List.of(new NotificationSpec(url, List.of(), "json")), Duration.ofMillis(20))) {
      n.accept(record(1, new Event.ReleaseAborted("aborted by bob")));
      await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
      assertThat(failuresLeft.get()).isLessThan(0);
    }
  }

  @Test
  void theSpecNeverLeavesInTheData() {
    String body =
        Notifier.body(
            "json",
            "started",
            record(
                1,
                new Event.ReleaseStarted(
                    2, "v2", "canary", "v1", "deploy", "{\"env\":{\"KEY\":\"x\"}}", false)));
    assertThat(body).doesNotContain("KEY").contains("\"version\":\"v2\"");
  }
}
