package dev.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code sluice up} process from the built jar, with one canary app ({@code shop}) of sample-app
 * replicas. Each version's replicas run {@code run.sh VERSION}, which adds the sample-app arguments
 * written for that version ({@link #define}), the way a user's build gives each version its own
 * artifact.
 */
final class SoakDaemon implements AutoCloseable {
  static final String APP = "shop";

  private final Path dir;
  private final Process process;
  private final ApiClient api;

  private SoakDaemon(Path dir, Process process, ApiClient api) {
    this.dir = dir;
    this.process = process;
    this.api = api;
  }

  /**
   * Writes the spec into {@code dir} and starts the daemon with {@code java -jar jar up}; returns
   * once its control API answers.
   */
  static SoakDaemon start(Path dir, String java, Path jar, List<String> daemonJvmOptions)
      throws IOException, InterruptedException, ApiException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        dir.resolve("run.sh"),
        """
        #!/bin/sh
        extra=$(cat "versions/$1" 2>/dev/null)
        exec %s -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx48m -jar %s sample-app --version "$1" $extra
        """
            .formatted(Json.write(java), Json.write(jar.toAbsolutePath().toString())));
    Files.writeString(dir.resolve("sluice.yaml"), spec());
    Path state = dir.resolve("state");
    List<String> command = new java.util.ArrayList<>(List.of(java));
    command.addAll(daemonJvmOptions);
    command.addAll(
        List.of(
            "-jar",
            jar.toAbsolutePath().toString(),
            "up",
            "-f",
            dir.resolve("sluice.yaml").toString(),
            "--state-dir",
            state.toString(),
            "--api-listen",
            "127.0.0.1:0"));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("daemon.log").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.exists(state.resolve("api.addr"))) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "sluice up did not come up; its log: " + dir.resolve("daemon.log"));
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    TimeUnit.MILLISECONDS.sleep(200); // the token file is written next to api.addr
    return new SoakDaemon(dir, p, ApiClient.forStateDir(state));
  }

  /**
   * The canary: 20 % then 50 % of traffic for 10 s each, judged every second over the last 5 s on
   * errors (at most 5 %) and median latency (at most 100 ms above the stable version's, which a
   * slow version breaks and a cold JVM does not). Both metrics are critical: one failing
   * measurement rolls the canary back.
   */
  private static String spec() {
    return """
        apps:
          - name: shop
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [sh, run.sh, "${version}"]
                replicas: 2
                stopGrace: 5s
            health: {path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
            progressDeadline: 1m
            strategy:
              canary:
                scaleDownDelay: 5s
                analysis:
                  interval: 1s
                  window: 5s
                  minRequests: 10
                  metrics:
                    - {name: errors, builtin: error_rate, max: 0.05, critical: true, judge: false}
                    - {name: p50, builtin: latency_p50, maxIncrease: 100ms, critical: true}
                steps:
                  - setWeight: 20
                  - pause: {duration: 10s}
                  - setWeight: 50
                  - pause: {duration: 10s}
        """;
  }

  /** Gives {@code version}'s replicas these extra sample-app arguments. */
  void define(String version, String sampleAppArgs) throws IOException {
    Files.writeString(dir.resolve("versions").resolve(version), sampleAppArgs);
  }

  void deploy(String version) throws ApiException {
    api.post(
        "/api/v1/apps/" + APP + "/deploy", Json.MAPPER.createObjectNode().put("version", version));
  }

  void abort() throws ApiException {
    api.post("/api/v1/apps/" + APP + "/abort", Json.MAPPER.createObjectNode());
  }

  /** The app's status, as {@code sluice status shop -o json} shows it. */
  JsonNode app() throws ApiException {
    return api.get("/api/v1/apps/" + APP);
  }

  /** The app's releases, newest first. */
  JsonNode releases() throws ApiException {
    return api.get("/api/v1/apps/" + APP + "/releases");
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  Path log() {
    return dir.resolve("daemon.log");
  }

  /** Stops the daemon as Ctrl-C would (SIGTERM); it stops the replicas it started. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
  }
}
