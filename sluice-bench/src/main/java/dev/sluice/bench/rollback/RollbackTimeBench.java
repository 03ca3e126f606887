package dev.sluice.bench.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.demo.Load;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Measures the time from the first request that fails on a canary to the moment the canary gets no
 * more traffic, with a background analysis at a 1 s interval, over several runs.
 *
 * <p>Each run: a healthy canary of sample-app takes 50 % of live load and passes its analysis; then
 * its fault switch ({@code POST /admin/error-rate?permille=1000}) makes every answer a 500. Read
 * off the load generator's own samples: <b>first failure</b> is the start of the first request the
 * canary failed, <b>out of traffic</b> the start of the last request the router sent to the canary.
 * The difference is what a user of the app lives through.
 *
 * <p>{@code java -cp sluice-bench/target/sluice-bench.jar
 * dev.sluice.bench.rollback.RollbackTimeBench [runs]}
 */
public final class RollbackTimeBench {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private RollbackTimeBench() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Path dir = Files.createTempDirectory("sluice-rollback-bench-");
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(spec, spec());
    List<Double> seconds = new ArrayList<>();
    try (Daemon daemon =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", 0)))) {
      ApiClient api = ApiClient.forStateDir(dir.resolve("state"));
      deploy(api, "v1");
      await(
          api, a -> a.path("stable").path("version").asText().equals("v1"), Duration.ofMinutes(1));
      URI target =
          URI.create("http://" + api.get("/api/v1/apps/bench").path("listen").asText() + "/");
      try (Load load =
          Load.start(target, 4, Duration.ofMillis(2), 10_000_000, Duration.ofHours(1))) {
        for (int i = 0; i < runs; i++) {
          String canary = "c" + (i + 1);
          deploy(api, canary);
          await(
              api,
              a ->
                  a.path("weights").path(canary).asInt() == 50
                      && a.path("release")
                              .path("analysis")
                              .path("background")
                              .path("passed")
                              .asInt()
                          >= 1,
              Duration.ofMinutes(1));
          JsonNode replica =
              stream(api.get("/api/v1/apps/bench").path("versions"))
                  .filter(v -> v.path("version").asText().equals(canary))
                  .findFirst()
                  .orElseThrow()
                  .path("instances")
                  .get(0);
          long before = System.nanoTime();
          HttpResponse<String> fault =
              HTTP.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://"
                                  + replica.path("address").asText()
                                  + "/admin/error-rate?permille=1000"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (fault.statusCode() != 200) {
            throw new IllegalStateException("fault switch answered " + fault.statusCode());
          }
          await(
              api,
              a -> a.path("release").path("status").asText().equals("RolledBack"),
              Duration.ofMinutes(1));
          Thread.sleep(1000); // let requests routed before the switch finish
          List<Load.Sample> canarySamples =
              load.samples().stream()
                  .filter(x -> canary.equals(x.version()) && x.startNanos() > before)
                  .toList();
          long firstFail =
              canarySamples.stream()
                  .filter(x -> x.status() == 500)
                  .mapToLong(Load.Sample::startNanos)
                  .min()
                  .orElseThrow();
          long lastRouted =
              canarySamples.stream().mapToLong(Load.Sample::startNanos).max().orElseThrow();
          double s = (lastRouted - firstFail) / 1e9;
          seconds.add(s);
          String reason = api.get("/api/v1/apps/bench").path("release").path("reason").asText();
          System.out.printf(
              "run %2d: first failure to out of traffic %.3f s (%d failed canary requests); %s%n",
              i + 1,
              s,
              canarySamples.stream().filter(x -> x.status() == 500).count(),
              reason.length() > 110 ? reason.substring(0, 110) + "..." : reason);
          await(api, a -> a.path("versions").size() == 1, Duration.ofMinutes(1));
        }
        load.stop();
        System.out.printf(
            "load: %,d requests, %,d failed (all on canaries, before rollback)%n",
            load.total(), load.failures().size());
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    double median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    System.out.printf(
        "first failure to 0%% canary traffic over %d runs: median %.3f s, max %.3f s, min %.3f s%n",
        sorted.size(), median, sorted.get(sorted.size() - 1), sorted.get(0));
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out.stream();
  }

  private static void deploy(ApiClient api, String version) throws Exception {
    api.post("/api/v1/apps/bench/deploy", Json.MAPPER.createObjectNode().put("version", version));
  }

  private static void await(ApiClient api, Predicate<JsonNode> done, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.test(api.get("/api/v1/apps/bench"))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("waited " + limit + ": " + api.get("/api/v1/apps/bench"));
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static String spec() {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    return """
        apps:
          - name: bench
            listen: 127.0.0.1:0
            runtime:
              process:
                command: [%s, "-Xmx64m", "-XX:+UseSerialGC", "-cp", %s, dev.sluice.cli.Main, sample-app, --version, "${version}"]
                replicas: 1
                stopGrace: 2s
            health: {path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 1, unhealthyThreshold: 2}
            strategy:
              canary:
                scaleDownDelay: 0s
                analysis:
                  interval: 1s
                  window: 1s
                  minRequests: 10
                  metrics:
                    - {name: errors, builtin: error_rate, max: 0.05, critical: true, judge: false}
                steps:
                  - setWeight: 50
                  - pause: {}
        """
        .formatted(Json.write(java), Json.write(cp));
  }
}
