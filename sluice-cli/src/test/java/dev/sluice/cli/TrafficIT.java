package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.demo.Load;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traffic control from the spec, end to end: a header that opts into the canary, sticky users, a
 * shadow release judged by its diff rate that continues as a canary, and an A/B experiment decided
 * by the judge. The built {@code sluice} command, real sample-app processes, real load.
 */
class TrafficIT {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String version(URI uri, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri);
    headers.forEach(b::header);
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("X-Version").orElseThrow();
  }

  private static void spec(Path file, String strategy) throws Exception {
    Files.writeString(
        file,
        Sluice.scriptedSpec(file.getParent(), 1, strategy)
            + """
                routing:
                  forceHeader: {name: x-canary, value: "1"}
                  sticky: {header: x-user-id}
            """);
  }

  @Test
  void headerRulesStickyUsersShadowsAndExperimentsFromTheSpec() throws Exception {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(dir.resolve("versions/v4"), "--items 4");
    Files.writeString(dir.resolve("versions/v5"), "--latency-ms 40");
    Path file = dir.resolve("sluice.yaml");
    spec(file, "canary: {steps: [{setWeight: 20}, {pause: {}}]}");
    try (Sluice s = new Sluice(dir, Files.readString(file)).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      s.cli("deploy", "shop", "v2", "--no-wait");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.status().path("release").path("phase").asText().equals("PAUSED"));
      URI root = URI.create("http://" + s.status().path("listen").asText() + "/");

      // routing.forceHeader: the header opts into the canary, whatever the weights say
      for (int i = 0; i < 20; i++) {
        assertThat(version(root, Map.of("x-canary", "1"))).isEqualTo("v2");
      }
      // sticky: every user always gets the same version; about 20 % get the canary
      Map<String, String> first = new HashMap<>();
      for (int round = 0; round < 3; round++) {
        for (int u = 0; u < 150; u++) {
          String v = version(root, Map.of("x-user-id", "user-" + u));
          assertThat(first.putIfAbsent("user-" + u, v)).isIn(null, v);
        }
      }
      long onCanary = first.values().stream().filter("v2"::equals).count();
      assertThat(onCanary).isBetween(10L, 60L);
      assertThat(s.cli("abort", "shop").exit()).isZero();

      // a shadow: copies of /api/items go to v3; its answers agree (ignoring version and time)
      spec(
          file,
          """
          shadow:
            percent: 100
            autoPromote: true
            compare: {body: json, ignore: [/version, /time]}
            analysis: {interval: 1s, count: 3, minRequests: 5, metrics: [{name: diffs, builtin: diff_rate, max: 0.01}]}
            then: {canary: {steps: [{setWeight: 50}, {pause: {}}]}}
          """);
      URI items = URI.create("http://" + s.status().path("listen").asText() + "/api/items");
      try (Load load =
          Load.start(items, 2, Duration.ofMillis(10), 100_000, Duration.ofMinutes(3))) {
        Sluice.Result v3 = s.cli("deploy", "shop", "v3", "--no-wait");
        assertThat(v3.exit()).as(v3.toString()).isZero();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> s.status().path("weights").toString().equals("{\"v1\":50,\"v3\":50}"));
        JsonNode release = s.status().path("release");
        assertThat(release.path("strategy").asText()).isEqualTo("canary");
        assertThat(release.path("trigger").asText()).isEqualTo("shadow");
        String history = s.cli("history", "shop").out();
        assertThat(history).contains("continued as release");
        // the shadow's final diff rate follows the event that ended it
        assertThat(history)
            .containsPattern(
                "continued as release \\d+ \\(canary\\)\\n\\s+release \\d+ of v3 \\(shadow\\),"
                    + " Continued:\\n\\s+shadow v3 \\(100% of requests copied\\): diff rate [\\d.]+%"
                    + " over [1-9]\\d* compared pairs in 1s \\(metric diffs, 3 measurements,"
                    + " SUCCESSFUL\\)");
        assertThat(s.cli("abort", "shop").exit()).isZero();

        // v4 answers four items instead of three: the comparison catches it, nobody saw it
        Sluice.Result v4 = s.cli("deploy", "shop", "v4", "--wait");
        assertThat(v4.exit()).as(v4.toString()).isEqualTo(1);
        assertThat(v4.out()).contains("shadow analysis:").contains("diffs");
        Sluice.Result diffs = s.cli("shadow", "diffs", "shop");
        assertThat(diffs.out()).contains("GET /api/items", "v1 200 vs v4 200", "differs in: body");
        JsonNode shadow = s.status().path("release").path("shadow");
        assertThat(shadow.path("version").asText()).isEqualTo("v4");
        assertThat(shadow.path("run").asText()).isEqualTo("FAILED");
        assertThat(shadow.path("diffRate").asDouble()).isGreaterThan(0.01);
        assertThat(shadow.path("compared").asLong()).isPositive();
        assertThat(shadow.path("samples")).isNotEmpty();
        assertThat(shadow.path("samples").get(0).path("target").asText()).isEqualTo("/api/items");
        String shadowStatus = s.cli("status", "shop").out();
        System.out.println(shadowStatus);
        assertThat(shadowStatus)
            .containsPattern(
                "shadow v4 \\(100% of requests copied\\): diff rate [\\d.]+% over [1-9]\\d*"
                    + " compared pairs in 1s \\(metric diffs, \\d+ measurements?, FAILED\\)")
            .contains("differs: GET /api/items  v1 200 vs v4 200  in: body");
        load.stop();
        assertThat(load.failures()).isEmpty();
        // v3 served as a canary before the abort; v4 only ever answered copies
        assertThat(load.byVersion()).containsOnlyKeys("v1", "v3");
      }

      // an experiment: v5 answers 40 ms slower, so the baseline wins on p50
      spec(
          file,
          """
          experiment:
            variants: [{version: v1, weight: 50}, {version: v5, weight: 50}]
            duration: 6s
            autoPromote: winner
            analysis: {interval: 2s, window: 4s, minRequests: 10, metrics: [{name: p50, builtin: latency_p50}]}
          """);
      try (Load load = Load.start(root, 4, Duration.ofMillis(5), 100_000, Duration.ofMinutes(3))) {
        Sluice.Result v5 = s.cli("deploy", "shop", "v5", "--wait");
        assertThat(v5.out())
            .contains("traffic v1 50% / v5 50%", "analysis arm-v5 #")
            .contains("p50");
        assertThat(v5.exit()).as(v5.toString()).isZero();
        load.stop();
        assertThat(load.failures()).isEmpty();
        Set<String> answered = new HashSet<>(load.byVersion().keySet());
        assertThat(answered).contains("v1", "v5");
      }
      JsonNode status = s.status();
      assertThat(status.path("stable").path("version").asText()).isEqualTo("v1");
      assertThat(status.path("weights").toString()).isEqualTo("{\"v1\":100}");
      // the result per arm and metric, from the recorded measurements: v5 is 40 ms slower
      JsonNode experiment = status.path("release").path("experiment");
      assertThat(experiment.path("winner").asText()).isEqualTo("v1");
      assertThat(experiment.path("chosenBy").asText()).isEqualTo("judge");
      JsonNode baseline = experiment.path("arms").get(0);
      assertThat(baseline.path("version").asText()).isEqualTo("v1");
      assertThat(baseline.path("requests").asLong()).isPositive();
      JsonNode v5 = experiment.path("arms").get(1);
      assertThat(v5.path("version").asText()).isEqualTo("v5");
      assertThat(v5.path("requests").asLong()).isPositive();
      assertThat(v5.path("verdict").asText()).isEqualTo("worse");
      JsonNode p50 = v5.path("metrics").get(0);
      assertThat(p50.path("metric").asText()).isEqualTo("p50");
      assertThat(p50.path("difference").asDouble()).isBetween(30.0, 80.0);
      assertThat(p50.path("relative").asDouble()).isGreaterThan(1.0);
      assertThat(p50.path("confidence").asDouble()).isEqualTo(0.98);
      assertThat(p50.path("p").asDouble()).isLessThan(0.02);
      assertThat(p50.path("verdict").asText()).isEqualTo("worse");
      String text = s.cli("status", "shop").out();
      System.out.println(text); // kept in the failsafe report, for reading what people see
      assertThat(text)
          .contains(
              "experiment (baseline v1, each measurement over the last 4s): winner v1, chosen by"
                  + " the judge")
          .containsPattern("v1 baseline 50%: [1-9]\\d* requests")
          .containsPattern("v5 50%: [1-9]\\d* requests, \\d+ measurements? \\(\\w+\\): worse")
          .containsPattern(
              "p50 [\\d.]+ms vs [\\d.]+ms: \\+[\\d.]+ms \\(\\+[\\d.]+%\\), p=\\S+ at 98%.*: worse");
      String past = s.cli("history", "shop").out();
      System.out.println(past);
      assertThat(past)
          .containsPattern(
              "release \\d+ of v5 \\(experiment\\), Succeeded:\\n\\s+experiment \\(baseline v1,"
                  + " each measurement over the last 4s\\): winner v1, chosen by the judge\\n");
    }
  }
}
