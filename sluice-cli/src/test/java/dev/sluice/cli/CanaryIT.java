package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.demo.Load;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canary and rolling releases end to end, judged by the router's own metrics: the built {@code
 * sluice} command, real sample-app processes, real load.
 */
class CanaryIT {
  @TempDir Path dir;

  private static final String CANARY =
      """
      canary:
        scaleDownDelay: 5s
        analysis:
          interval: 1s
          window: 3s
          minRequests: 20
          metrics:
            - {name: errors, builtin: error_rate, max: 0.05, critical: true}
            - {name: p50, builtin: latency_p50, maxIncrease: 100ms, critical: true}
            - {name: p99, builtin: latency_p99, maxIncrease: 500ms}
        steps:
          - setWeight: 20
          - pause: {duration: 4s}
          - setWeight: 50
          - pause: {duration: 4s}
      """;

  private static URI shop(Sluice s) throws Exception {
    return URI.create("http://" + s.status().path("listen").asText() + "/");
  }

  @Test
  void aHealthyCanaryIsPromotedAndBadOnesAreRolledBackByTheirMetrics() throws Exception {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(dir.resolve("versions/v3"), "--error-rate 0.3");
    Files.writeString(dir.resolve("versions/v4"), "--latency-ms 200");
    try (Sluice s = new Sluice(dir, Sluice.scriptedSpec(dir, 2, CANARY)).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      try (Load load =
          Load.start(shop(s), 4, Duration.ofMillis(4), 500_000, Duration.ofMinutes(5))) {
        await().until(() -> load.total() > 100);

        Sluice.Result v2 = s.cli("deploy", "shop", "v2", "--wait");
        assertThat(v2.exit()).as(v2.toString()).isZero();
        assertThat(v2.out())
            .containsSubsequence(
                "release 2 of v2 started (canary",
                "traffic v1 80% / v2 20%",
                "step 2: pause 4s",
                "traffic v1 50% / v2 50%",
                "step 5: promotion",
                "traffic v2 100%",
                "release 2 succeeded: v2 is stable");
        assertThat(v2.out()).contains("analysis background #");
        load.stop();
        assertThat(load.failures()).as("a healthy canary fails no request").isEmpty();
      }

      try (Load load =
          Load.start(shop(s), 4, Duration.ofMillis(4), 500_000, Duration.ofMinutes(5))) {
        Sluice.Result v3 = s.cli("deploy", "shop", "v3", "--wait");
        assertThat(v3.exit()).as(v3.toString()).isEqualTo(1);
        assertThat(v3.out()).contains("rolled back to v2: background analysis:").contains("errors");
        assertThat(v3.out()).contains("release 3 RolledBack");
        long after = System.nanoTime();
        await()
            .until(() -> load.samples().stream().filter(x -> x.startNanos() > after).count() > 100);
        load.stop();
        assertThat(
                load.samples().stream()
                    .filter(x -> x.startNanos() > after)
                    .map(Load.Sample::version))
            .containsOnly("v2");
      }

      try (Load load =
          Load.start(shop(s), 4, Duration.ofMillis(4), 500_000, Duration.ofMinutes(5))) {
        Sluice.Result v4 = s.cli("deploy", "shop", "v4", "--wait");
        assertThat(v4.exit()).as(v4.toString()).isEqualTo(1);
        assertThat(v4.out()).contains("rolled back to v2: background analysis:").contains("p50");
        load.stop();
        assertThat(load.failures()).as("a slow canary fails no request").isEmpty();
      }
      JsonNode status = s.status();
      assertThat(status.path("stable").path("version").asText()).isEqualTo("v2");
      assertThat(status.path("weights").toString()).isEqualTo("{\"v2\":100}");
      JsonNode bg = status.path("release").path("analysis").path("background");
      assertThat(bg.path("status").asText()).isEqualTo("FAILED");
      assertThat(bg.path("last").path("metrics").get(1).path("metric").asText()).isEqualTo("p50");
      assertThat(bg.path("last").path("metrics").get(1).path("classification").asText())
          .isEqualTo("HIGH");
    }
  }

  @Test
  void aRollingUpdateOfFourReplicasOneAtATimeFailsNoRequest() throws Exception {
    String rolling = "rolling: {maxSurge: 1, maxUnavailable: 0}\n";
    try (Sluice s = new Sluice(dir, Sluice.scriptedSpec(dir, 4, rolling)).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      try (Load load =
          Load.start(shop(s), 4, Duration.ofMillis(4), 500_000, Duration.ofMinutes(5))) {
        await().until(() -> load.total() > 100);
        Sluice.Result v2 = s.cli("deploy", "shop", "v2", "--wait");
        assertThat(v2.exit()).as(v2.toString()).isZero();
        assertThat(v2.out())
            .containsSubsequence(
                "v2 runs 1 replica",
                "traffic v1 75% / v2 25%",
                "v1 runs 3 replicas",
                "traffic v1 50% / v2 50%",
                "traffic v1 25% / v2 75%",
                "traffic v2 100%",
                "release 2 succeeded");
        long after = System.nanoTime();
        await()
            .until(() -> load.samples().stream().filter(x -> x.startNanos() > after).count() > 100);
        load.stop();
        assertThat(load.failures()).isEmpty();
        assertThat(load.byVersion()).containsKeys("v1", "v2");
      }
      assertThat(s.status().path("versions").size()).isEqualTo(1);
    }
  }
}
