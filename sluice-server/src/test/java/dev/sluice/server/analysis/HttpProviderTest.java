package dev.sluice.server.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.router.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The http provider against a local JSON endpoint. */
class HttpProviderTest {
  private static Router router;
  private static TestServer server;
  private static Analyzer analyzer;

  @BeforeAll
  static void start() {
    router = Traffic.router();
    analyzer = Analyzer.create(router.metrics(), Path.of("."));
    server = TestServer.start(HttpProviderTest::answer);
  }

  @AfterAll
  static void stop() {
    analyzer.close();
    server.close();
    router.close();
  }

  private static void answer(HttpExchange x) throws Exception {
    String path = x.getRequestURI().getPath();
    String query = x.getRequestURI().getQuery() == null ? "" : x.getRequestURI().getQuery();
    switch (path) {
      case "/stats" -> {
        int depth = query.contains("version=v2") ? 42 : 40;
        json(x, "{\"app\": \"" + query + "\", \"queue\": {\"depth\": " + depth + "}}");
      }
      case "/null" -> json(x, "{\"queue\": {\"depth\": null}}");
      case "/text" -> json(x, "{\"queue\": {\"depth\": \" 12.5 \"}}");
      case "/words" -> json(x, "{\"queue\": {\"depth\": \"lots\"}}");
      case "/html" -> TestServer.answer(x, 200, "text/html", "<html>hi</html>");
      case "/private" -> {
        if ("Bearer s3cret".equals(x.getRequestHeaders().getFirst("Authorization"))) {
          json(x, "{\"queue\": {\"depth\": 7}}");
        } else {
          TestServer.answer(x, 401, "text/plain", "who are you");
        }
      }
      case "/slow" -> {
        Thread.sleep(2000); // an endpoint slower than the metric's timeout
        json(x, "{}");
      }
      default -> TestServer.answer(x, 404, "text/plain", "no");
    }
  }

  private static void json(HttpExchange x, String body) throws Exception {
    TestServer.answer(x, 200, "application/json", body);
  }

  private static MetricSpec http(
      String name, String path, Map<String, String> headers, Conditions c) {
    return MetricSpec.of(
        name,
        new MetricSpec.Http(server.url() + path, "/queue/depth", headers, Duration.ofMillis(500)),
        c);
  }

  private static List<String> measure(MetricSpec... metrics) {
    AnalysisResult r =
        analyzer
            .analyze(
                AnalysisSpec.of(List.of(metrics)).withMinRequests(0),
                "shop",
                "v1",
                "v2",
                Duration.ofSeconds(10))
            .join();
    return r.measurements().stream().map(Measurement::describe).toList();
  }

  @Test
  void readsTheNumberAtTheJsonPointerForTheCanaryAndTheBaseline() {
    assertThat(
            measure(
                http(
                    "queue",
                    "/stats?app={{app}}&version={{version}}",
                    Map.of(),
                    new Conditions(100.0, null, null, 5.0)),
                http("small", "/stats?version={{canary}}", Map.of(), Conditions.max(10))))
        .containsExactly("queue 42 vs baseline 40: Pass", "small 42: High (42 > max 10)");
  }

  @Test
  void sendsTheHeadersOfTheSpec() {
    assertThat(
            measure(
                http(
                    "with",
                    "/private",
                    Map.of("Authorization", "Bearer s3cret"),
                    Conditions.max(10)),
                http("without", "/private", Map.of(), Conditions.max(10))))
        .containsExactly(
            "with 7: Pass", "without: Error (http://127.0.0.1:" + server.port() + " answered 401)");
  }

  @Test
  void nullIsNoDataAndANumberInAStringIsANumber() {
    assertThat(
            measure(
                http("null", "/null", Map.of(), Conditions.max(10)),
                http("text", "/text", Map.of(), Conditions.max(10))))
        .containsExactly("null: NoData (null at /queue/depth)", "text 12.5: High (12.5 > max 10)");
  }

  @Test
  void answersWithoutTheNumberAreErrors() {
    String origin = "http://127.0.0.1:" + server.port();
    assertThat(
            measure(
                MetricSpec.of(
                    "missing",
                    new MetricSpec.Http(
                        server.url() + "/stats", "/queue/size", Map.of(), Duration.ofSeconds(1)),
                    Conditions.max(10)),
                http("words", "/words", Map.of(), Conditions.max(10)),
                http("html", "/html", Map.of(), Conditions.max(10)),
                http("absent", "/nothing-here", Map.of(), Conditions.max(10)),
                http("slow", "/slow", Map.of(), Conditions.max(10))))
        .containsExactly(
            "missing: Error (no value at /queue/size in the answer)",
            "words: Error (the value at /queue/depth is not a number: \"lots\")",
            "html: Error (" + origin + " answered 200 with a body that is not JSON)",
            "absent: Error (" + origin + " answered 404)",
            "slow: Error (no answer from " + origin + " within 500ms)");
  }
}
