package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.demo.Load;
import dev.sluice.server.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blue-green releases end to end: the built {@code sluice} command, a daemon process, real
 * sample-app replicas and real load on loopback.
 */
class BlueGreenIT {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static URI shop(Sluice s, String path) throws Exception {
    return URI.create("http://" + s.status().path("listen").asText() + path);
  }

  private static List<Load.Sample> startedAfter(Load load, long nanos) {
    return load.samples().stream().filter(x -> x.startNanos() > nanos).toList();
  }

  @Test
  void releaseAndRollbackUnderLoadFailNoRequest() throws Exception {
    try (Sluice s = new Sluice(dir, Sluice.sampleSpec(2, "blueGreen: {scaleDownDelay: 2m}")).up()) {
      Sluice.Result v1 = s.cli("deploy", "shop", "v1", "--wait");
      assertThat(v1.exit()).as(v1.toString()).isZero();
      assertThat(v1.out()).contains("release 1 succeeded: v1 is stable");

      try (Load load =
          Load.start(shop(s, "/"), 4, Duration.ofMillis(5), 200_000, Duration.ofMinutes(3))) {
        await().until(() -> load.total() > 200);
        long beforeDeploy = System.nanoTime();
        Sluice.Result v2 = s.cli("deploy", "shop", "v2", "--wait");
        long afterDeploy = System.nanoTime();
        assertThat(v2.exit()).as(v2.toString()).isZero();
        assertThat(v2.out()).contains("traffic v2 100%", "release 2 succeeded: v2 is stable");
        await().until(() -> startedAfter(load, afterDeploy).size() > 200);

        long beforeRollback = System.nanoTime();
        Sluice.Result back = s.cli("rollback", "shop");
        long afterRollback = System.nanoTime();
        assertThat(back.exit()).as(back.toString()).isZero();
        assertThat(back.out()).contains("rolled back to v1", "traffic v1 100%");
        await().until(() -> startedAfter(load, afterRollback).size() > 200);
        load.stop();

        assertThat(load.failures()).isEmpty();
        List<Load.Sample> all = load.samples();
        assertThat(all.stream().filter(x -> x.endNanos() < beforeDeploy).map(Load.Sample::version))
            .isNotEmpty()
            .containsOnly("v1");
        assertThat(
                all.stream()
                    .filter(x -> x.startNanos() > afterDeploy && x.endNanos() < beforeRollback)
                    .map(Load.Sample::version))
            .isNotEmpty()
            .containsOnly("v2");
        assertThat(startedAfter(load, afterRollback).stream().map(Load.Sample::version))
            .containsOnly("v1");
      }

      JsonNode status = s.status();
      assertThat(status.path("stable").path("version").asText()).isEqualTo("v1");
      assertThat(status.path("release").path("status").asText()).isEqualTo("RolledBack");
      Sluice.Result history = s.cli("history", "shop");
      assertThat(history.out())
          .containsSubsequence(
              "ReleaseStarted", "release 1 of v1 started",
              "TrafficSet", "traffic v1 100%",
              "ReleaseStarted", "release 2 of v2 started",
              "VersionReady", "v2: all 2 replicas healthy",
              "TrafficSet", "traffic v2 100%",
              "ReleaseSucceeded", "v2 is stable",
              "RolledBack", "rolled back to v1",
              "TrafficSet", "traffic v1 100%",
              "ReplicasSet", "v2 stops after draining");
      assertThat(history.out().lines().findFirst().orElseThrow())
          .matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*Z  #1 .*");
    }
  }

  @Test
  void slowRequestsInFlightAtTheSwitchCompleteOnTheOldVersion() throws Exception {
    try (Sluice s =
        new Sluice(dir, Sluice.sampleSpec(1, "blueGreen: {autoPromote: false, scaleDownDelay: 1m}"))
            .up()) {
      s.cli("deploy", "shop", "v1", "--no-wait");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.status().path("release").path("phase").asText().equals("PAUSED"));
      assertThat(s.cli("promote", "shop").exit()).isZero();
      await().until(() -> s.status().path("stable").path("version").asText().equals("v1"));

      s.cli("deploy", "shop", "v2", "--no-wait");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.status().path("release").path("phase").asText().equals("PAUSED"));
      assertThat(s.status().path("weights").toString()).isEqualTo("{\"v1\":100}");

      URI slow = shop(s, "/slow?ms=2000");
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        inFlight.add(
            HTTP.sendAsync(
                HttpRequest.newBuilder(slow).build(), HttpResponse.BodyHandlers.ofString()));
      }
      URI metrics = URI.create(s.apiUrl() + "/metrics");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  HTTP.send(
                          HttpRequest.newBuilder(metrics).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .contains("sluice_requests_in_flight{app=\"shop\",version=\"v1\"} 8"));

      Sluice.Result promote = s.cli("promote", "shop");
      assertThat(promote.exit()).as(promote.toString()).isZero();
      assertThat(promote.out()).contains("traffic v2 100%");
      HttpResponse<String> fresh =
          HTTP.send(
              HttpRequest.newBuilder(shop(s, "/")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(fresh.headers().firstValue("X-Version")).contains("v2");

      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        HttpResponse<String> r = f.join();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("version v1 (slow)\n");
      }
    }
  }

  @Test
  void aKilledReplicaIsRestartedAndNoRequestFails() throws Exception {
    try (Sluice s = new Sluice(dir, Sluice.sampleSpec(2, "blueGreen: {}")).up()) {
      assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
      JsonNode replica = s.status().path("versions").get(0).path("instances").get(0);
      long pid = replica.path("pid").asLong();
      try (Load load =
          Load.start(shop(s, "/"), 4, Duration.ofMillis(5), 100_000, Duration.ofMinutes(2))) {
        await().until(() -> load.total() > 200);
        new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  JsonNode i = s.status().path("versions").get(0).path("instances").get(0);
                  return i.path("restarts").asInt() >= 1
                      && i.path("healthy").asBoolean()
                      && i.path("pid").asLong() != pid;
                });
        long restarted = System.nanoTime();
        await().until(() -> startedAfter(load, restarted).size() > 200);
        load.stop();
        assertThat(load.failures()).isEmpty();
      }
    }
  }

  @Test
  void stateAndRoutingComeBackAfterARestart() throws Exception {
    Sluice s = new Sluice(dir, Sluice.sampleSpec(1, "blueGreen: {scaleDownDelay: 0s}"));
    s.up();
    assertThat(s.cli("deploy", "shop", "v1", "--wait").exit()).isZero();
    assertThat(s.cli("deploy", "shop", "v2", "--wait").exit()).isZero();
    JsonNode before = s.status();
    long pid = before.path("versions").get(0).path("instances").get(0).path("pid").asLong();
    String history = s.cli("history", "shop").out();
    s.down();
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
        .as("replicas stop with the daemon")
        .isNotEqualTo(java.util.Optional.of(true));

    s.up();
    try (s) {
      JsonNode after = s.status();
      assertThat(after.path("stable")).isEqualTo(before.path("stable"));
      assertThat(after.path("weights").toString()).isEqualTo("{\"v2\":100}");
      assertThat(after.path("release").path("status").asText()).isEqualTo("Succeeded");
      assertThat(s.cli("history", "shop").out()).isEqualTo(history);
      URI shop = shop(s, "/");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                try {
                  return HTTP.send(
                          HttpRequest.newBuilder(shop).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .equals("hello from version v2\n");
                } catch (java.io.IOException e) {
                  return false;
                }
              });
    }
  }

  @Test
  void badSpecsAreRefusedWithExactMessagesAndNothingStarts() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        apps:
          - name: shop
            listen: 127.0.0.1:8080
            runtime:
              process:
                replicas: 0
            strategy:
              blueGreen: {scaleDownDelay: soon}
        """);
    Sluice s = new Sluice(dir, "unused: true\n");
    Sluice.Result validate = s.run("validate", "-f", bad.toString());
    assertThat(validate.exit()).isEqualTo(2);
    assertThat(validate.err())
        .isEqualTo(
            """
            bad.yaml:6:9: apps[0].runtime.process.command: missing (expected: a non-empty list of strings: the command of one replica)
            bad.yaml:6:19: apps[0].runtime.process.replicas: 0 (expected: 1..100)
            bad.yaml:8:35: apps[0].strategy.blueGreen.scaleDownDelay: "soon" (expected: a duration like 500ms, 30s, 10m or 1h30m, 0s..168h)
            """);
    Sluice.Result up =
        s.run(
            "up",
            "-f",
            bad.toString(),
            "--state-dir",
            dir.resolve("state").toString(),
            "--api-listen",
            "127.0.0.1:0");
    assertThat(up.exit()).isEqualTo(2);
    assertThat(up.err()).startsWith(validate.err()).endsWith("nothing was started\n");
    assertThat(dir.resolve("state")).doesNotExist();
  }

  @Test
  void mutationsNeedTheTokenAndConflictsAreRefused() throws Exception {
    try (Sluice s = new Sluice(dir, Sluice.sampleSpec(1, "blueGreen: {autoPromote: false}")).up()) {
      URI deploy = URI.create(s.apiUrl() + "/api/v1/apps/shop/deploy");
      HttpRequest.Builder post =
          HttpRequest.newBuilder(deploy)
              .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"v1\"}"));
      HttpResponse<String> anonymous =
          HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      HttpResponse<String> wrong =
          HTTP.send(
              post.header("Authorization", "Bearer nope").build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(s.status().path("lastEvent").asLong()).isZero();

      Sluice.Result created = s.cli("token", "create", "dashboard", "--role", "viewer");
      assertThat(created.exit()).as(created.toString()).isZero();
      String viewer = created.out().trim();
      assertThat(viewer).startsWith("slc_");
      HttpResponse<String> forbidden =
          HTTP.send(
              HttpRequest.newBuilder(deploy)
                  .header("Authorization", "Bearer " + viewer)
                  .POST(HttpRequest.BodyPublishers.ofString("{\"version\":\"v1\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(forbidden.statusCode()).isEqualTo(403);
      assertThat(Json.MAPPER.readTree(forbidden.body()).path("error").asText())
          .isEqualTo("token dashboard has role viewer; this call needs operator");
      HttpResponse<String> read =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(s.apiUrl() + "/api/v1/apps/shop"))
                  .header("Authorization", "Bearer " + viewer)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(s.cli("token", "revoke", "dashboard").exit()).isZero();
      HttpResponse<String> revoked =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(s.apiUrl() + "/api/v1/apps/shop"))
                  .header("Authorization", "Bearer " + viewer)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(revoked.statusCode()).isEqualTo(401);
      assertThat(s.status().path("lastEvent").asLong()).isZero();

      HttpResponse<String> badBody =
          HTTP.send(
              HttpRequest.newBuilder(deploy)
                  .header("Authorization", "Bearer " + s.token())
                  .POST(HttpRequest.BodyPublishers.ofString("{\"version\": 42, \"extra\": true}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(badBody.statusCode()).isEqualTo(400);
      JsonNode problems = Json.MAPPER.readTree(badBody.body()).path("problems");
      assertThat(problems.get(0).path("message").asText())
          .isEqualTo(
              "request body:1:13: version: 42 (expected: a version: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63)");
      assertThat(problems.get(1).path("message").asText())
          .isEqualTo("request body:1:17: extra: unknown field (expected: one of force, version)");
      assertThat(s.status().path("lastEvent").asLong()).isZero();

      assertThat(s.cli("deploy", "shop", "v1", "--no-wait").exit()).isZero();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> s.status().path("release").path("phase").asText().equals("PAUSED"));
      Sluice.Result conflict = s.cli("deploy", "shop", "v2", "--no-wait");
      assertThat(conflict.exit()).isEqualTo(2);
      assertThat(conflict.err())
          .isEqualTo(
              "release 1 of shop (v1) is in progress (Paused); wait for it, stop it with 'sluice"
                  + " abort shop', or deploy with --force\n");
    }
  }
}
