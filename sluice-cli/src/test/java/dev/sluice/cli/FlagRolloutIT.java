package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flags at the edge and guarded rollouts end to end: the built {@code sluice} command, a sample-app
 * process whose {@code /checkout} reads the variant the router chose, and users sending requests
 * while {@code sluice flags rollout} raises the new variant's weight.
 */
class FlagRolloutIT {
  @TempDir Path dir;

  private static final String FLAGS =
      """
      {"flags": {"new-checkout": {
        "state": "ENABLED",
        "variants": {"on": true, "off": false},
        "defaultVariant": "off"
      }}}
      """;

  /** Users sending {@code GET /checkout?failOn=...} with their id, on a few threads. */
  private static final class Users implements AutoCloseable {
    final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    final AtomicInteger sent = new AtomicInteger();
    volatile String failOn = "none";
    volatile boolean stop;
    private final List<Thread> threads = new ArrayList<>();

    Users(String address, int count) {
      HttpClient http = HttpClient.newHttpClient();
      for (int t = 0; t < count; t++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (!stop && sent.get() < 200_000) {
                        int user = sent.incrementAndGet();
                        try {
                          HttpResponse<String> r =
                              http.send(
                                  HttpRequest.newBuilder(
                                          URI.create(
                                              "http://" + address + "/checkout?failOn=" + failOn))
                                      .header("x-user-id", "user-" + user)
                                      .timeout(Duration.ofSeconds(10))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString());
                          String variant = r.body().split(" ")[1];
                          answers
                              .computeIfAbsent(
                                  r.statusCode() + " " + variant, k -> new AtomicLong())
                              .incrementAndGet();
                        } catch (Exception e) {
                          answers
                              .computeIfAbsent("failed", k -> new AtomicLong())
                              .incrementAndGet();
                        }
                      }
                    }));
      }
    }

    long count(String key) {
      AtomicLong n = answers.get(key);
      return n == null ? 0 : n.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(15));
      }
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode rollout(Sluice s) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(s.apiUrl() + "/api/v1/flags/new-checkout/rollout"))
                    .header("Authorization", "Bearer " + s.token())
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return dev.sluice.server.api.Json.MAPPER.readTree(r.body());
  }

  @Test
  void aRolloutSurvivesAKillOfSluiceAndGoesOnAtItsStep() throws Exception {
    String spec =
        Sluice.sampleSpec(1, "blueGreen: {}")
            + "    edgeFlags: {keys: [new-checkout], targetingKey: {header: x-user-id}}\n";
    Files.writeString(dir.resolve("flags.json"), FLAGS);
    try (Sluice s = new Sluice(dir, spec).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      assertThat(s.cli("flags", "import", dir.resolve("flags.json").toString()).exit()).isZero();
      try (Users users = new Users(s.status().path("listen").asText(), 2)) {
        Sluice.Result started =
            s.cli(
                "flags",
                "rollout",
                "new-checkout",
                "--variant",
                "on",
                "--steps",
                "20,50,100",
                "--interval",
                "3s",
                "--analysis",
                "error_rate",
                "--analysis-interval",
                "1s",
                "--min-requests",
                "5",
                "--detach");
        assertThat(started.exit()).as(started.toString()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> rollout(s).path("step").asInt() == 2);
        s.kill();
      }
      s.up();
      var resumed = rollout(s);
      assertThat(resumed.path("state").asText()).as(resumed.toString()).isEqualTo("RUNNING");
      assertThat(resumed.path("step").asInt()).isEqualTo(2);
      // The app's listener has a new port after the restart (the spec says port 0).
      try (Users users = new Users(s.status().path("listen").asText(), 2)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> !rollout(s).path("state").asText().equals("RUNNING"));
      }
      var done = rollout(s);
      assertThat(done.path("state").asText()).as(done.toString()).isEqualTo("COMPLETED");
      assertThat(done.path("events").toString())
          .contains("resumed at step 2/3 after a restart: the flag has its weights");
      // Each step was set once: the restart did not set step 2 again.
      String history = s.cli("flags", "history", "new-checkout").out();
      assertThat(history.split("rollout step 2/3", -1)).hasSize(2);
      assertThat(history).contains("rollout step 3/3");
    }
  }

  @Test
  void aFailingVariantIsRevertedAndAHealthyOneRollsOutToEveryone() throws Exception {
    String spec =
        Sluice.sampleSpec(1, "blueGreen: {}")
            + "    edgeFlags: {keys: [new-checkout], targetingKey: {header: x-user-id}}\n";
    Files.writeString(dir.resolve("flags.json"), FLAGS);
    try (Sluice s = new Sluice(dir, spec).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      Sluice.Result imported = s.cli("flags", "import", dir.resolve("flags.json").toString());
      assertThat(imported.exit()).as(imported.toString()).isZero();
      String before = s.cli("flags", "export").out();
      String address = s.status().path("listen").asText();
      try (Users users = new Users(address, 4)) {
        users.failOn = "on";
        await().until(() -> users.count("200 off") > 50);
        assertThat(users.count("200 on")).as("nobody has the new checkout yet").isZero();

        Sluice.Result failed =
            s.cli(
                "flags",
                "rollout",
                "new-checkout",
                "--variant",
                "on",
                "--steps",
                "20,50,100",
                "--interval",
                "2s",
                "--analysis",
                "error_rate,latency_p99",
                "--analysis-interval",
                "1s");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.out())
            .containsSubsequence(
                "rollout step 1/3: new-checkout on 20, off 80",
                "reverted: analysis failed",
                "rollout of new-checkout: REVERTED, step 1/3");
        assertThat(failed.out()).doesNotContain("rollout step 2/3");
        assertThat(users.count("500 on")).as("the new checkout failed for some users").isPositive();
        assertThat(s.cli("flags", "export").out()).isEqualTo(before);
        Sluice.Result history = s.cli("flags", "history", "new-checkout");
        assertThat(history.out())
            .contains("rollout step 1/3")
            .contains("rollout of new-checkout reverted");
        assertThat(s.cli("flags", "rollout-status", "new-checkout").out()).contains("REVERTED");
        // After the revert nobody gets the failing variant any more.
        long onAfterRevert = users.count("500 on");
        long offNow = users.count("200 off");
        await().until(() -> users.count("200 off") > offNow + 50);
        assertThat(users.count("500 on")).isLessThanOrEqualTo(onAfterRevert + 4);

        users.failOn = "none";
        Sluice.Result completed =
            s.cli(
                "flags",
                "rollout",
                "new-checkout",
                "--variant",
                "on",
                "--steps",
                "50,100",
                "--interval",
                "2s",
                "--analysis",
                "error_rate",
                "--analysis-interval",
                "1s");
        assertThat(completed.exit()).as(completed.toString()).isZero();
        assertThat(completed.out())
            .containsSubsequence(
                "rollout step 1/2: new-checkout on 50, off 50",
                "step 1 analysis: PASS",
                "rollout step 2/2: new-checkout on 100, off 0",
                "completed: on serves 100%");
        long offDone = users.count("200 off");
        long onDone = users.count("200 on");
        await().until(() -> users.count("200 on") > onDone + 50);
        assertThat(users.count("200 off")).isLessThanOrEqualTo(offDone + 4);
      }
      String metrics =
          new String(
              URI.create(s.apiUrl() + "/metrics").toURL().openStream().readAllBytes(),
              java.nio.charset.StandardCharsets.UTF_8);
      assertThat(metrics)
          .contains(
              "sluice_flag_variant_requests_total{app=\"shop\",flag=\"new-checkout\",variant=\"on\",code=\"5xx\"}");
    }
  }
}
