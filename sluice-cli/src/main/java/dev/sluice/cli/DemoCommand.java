package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.cli.demo.Load;
import dev.sluice.core.spec.HostPort;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo}: a blue-green release of a real app under live load, then a rollback, in a
 * temporary state directory; exits 0 when no request failed.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Watch a blue-green release and a rollback under load (self-contained).",
    description = {
      "Starts a daemon in a temporary directory, deploys sample-app v1, puts load on it, releases",
      "v2 blue-green, rolls back to v1, and prints how many requests failed (the goal: none).",
      "Pauses between steps on a terminal; runs straight through otherwise."
    })
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--replicas", description = "replicas per version (default: 2)")
  int replicas = 2;

  @Option(names = "--clients", description = "concurrent load clients (default: 4)")
  int clients = 4;

  @Option(names = "--keep", description = "keep the temporary state directory")
  boolean keep;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    // the daemon's own log lines would drown the story; warnings still show
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    boolean interactive = System.console() != null;
    long t0 = System.nanoTime();
    Path dir = Files.createTempDirectory("sluice-demo-");
    Path spec = dir.resolve("sluice.yaml");
    Files.writeString(spec, spec());
    out.println(
        "Sluice demo: a blue-green release of a real app under live load, then a rollback.");
    out.println("Spec: " + spec + (keep ? "" : " (the directory is removed at the end)"));
    int failed;
    try (Daemon daemon =
        Daemon.start(
            Daemon.Options.of(spec, dir.resolve("state"))
                .withApiListen(new HostPort("127.0.0.1", 0)))) {
      ApiClient api = ApiClient.forStateDir(dir.resolve("state"));
      String listen = api.get("/api/v1/apps/demo").path("listen").asText();
      URI target = URI.create("http://" + listen + "/");

      step(
          1,
          "deploying sample-app v1 (" + replicas + " replicas) as the first release",
          interactive);
      if (deploy(api, "v1") != 0) {
        return Main.RELEASE_FAILED;
      }
      step(
          2, "load: " + clients + " clients sending GET " + target + " until the end", interactive);
      try (Load load =
          Load.start(target, clients, Duration.ofMillis(5), 2_000_000, Duration.ofMinutes(10))) {
        waitFor(Duration.ofSeconds(2));
        out.println(
            "          so far: " + load.total() + " requests, answered by " + load.byVersion());

        step(
            3,
            "releasing v2 blue-green: it starts beside v1, is health-checked, then takes all traffic in one switch",
            interactive);
        long beforeDeploy = System.nanoTime();
        if (deploy(api, "v2") != 0) {
          return Main.RELEASE_FAILED;
        }
        waitFor(Duration.ofSeconds(2));
        out.println("          " + switchLine(load.samples(), "v1", "v2", beforeDeploy));

        step(
            4,
            "rolling back: v1 is still warm (scaleDownDelay), so the rollback is one switch back",
            interactive);
        long beforeRollback = System.nanoTime();
        JsonNode after = api.post("/api/v1/apps/demo/rollback", Json.MAPPER.createObjectNode());
        out.println("          traffic " + Printer.weights(after.path("weights")));
        waitFor(Duration.ofSeconds(2));
        out.println("          " + switchLine(load.samples(), "v2", "v1", beforeRollback));
        load.stop();

        step(5, "summary", false);
        failed = load.failures().size();
        Map<String, Long> byVersion = load.byVersion();
        out.printf(
            "          %,d requests, %d failed; answered by %s; %.1f s in all%n",
            load.total(), failed, byVersion, (System.nanoTime() - t0) / 1e9);
        if (failed > 0) {
          out.println("          first failures: " + load.failures().stream().limit(3).toList());
        }
        out.println(
            "          the event log holds "
                + api.get("/api/v1/apps/demo/history").path("events").size()
                + " decisions, each written before it was applied");
      }
    } finally {
      if (!keep) {
        delete(dir);
      }
    }
    out.println(
        failed == 0
            ? "Demo passed: zero failed requests."
            : "Demo FAILED: " + failed + " requests failed.");
    return failed == 0 ? 0 : Main.RELEASE_FAILED;
  }

  private int deploy(ApiClient api, String version) throws Exception {
    long since = api.get("/api/v1/apps/demo").path("lastEvent").asLong();
    JsonNode a =
        api.post(
            "/api/v1/apps/demo/deploy", Json.MAPPER.createObjectNode().put("version", version));
    return Progress.follow(
        api, "demo", a.path("release").path("revision").asInt(), since, Duration.ofMinutes(2), out);
  }

  /** When traffic moved from one version to another, read off the load's own samples. */
  static String switchLine(List<Load.Sample> samples, String from, String to, long nanoFrom) {
    long lastFrom =
        samples.stream()
            .filter(s -> from.equals(s.version()) && s.startNanos() >= nanoFrom)
            .mapToLong(Load.Sample::startNanos)
            .max()
            .orElse(-1);
    long firstTo =
        samples.stream()
            .filter(s -> to.equals(s.version()) && s.startNanos() >= nanoFrom)
            .mapToLong(Load.Sample::startNanos)
            .min()
            .orElse(-1);
    if (lastFrom < 0 || firstTo < 0) {
      return "switch: not seen in the samples";
    }
    return String.format(
        "the clients saw the switch: the last request %s answered started %.3f s into this step,"
            + " the first %s answered %.3f s",
        from, (lastFrom - nanoFrom) / 1e9, to, (firstTo - nanoFrom) / 1e9);
  }

  private void step(int n, String what, boolean interactive) throws IOException {
    out.println();
    out.println("[" + n + "/5] " + what);
    if (interactive) {
      out.print("          press Enter to go on ");
      out.flush();
      new BufferedReader(new InputStreamReader(System.in)).readLine();
    }
  }

  private static void waitFor(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }

  private String spec() {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    List<String> command =
        List.of(
            java,
            "-Xmx48m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            cp,
            Main.class.getName(),
            "sample-app",
            "--version",
            "${version}");
    StringBuilder cmd = new StringBuilder("[");
    for (String c : command) {
      if (cmd.length() > 1) {
        cmd.append(", ");
      }
      cmd.append(Json.write(c));
    }
    cmd.append(']');
    return """
        apps:
          - name: demo
            listen: 127.0.0.1:0
            runtime:
              process:
                command: %s
                replicas: %d
                stopGrace: 5s
            health: {path: /health, interval: 300ms, timeout: 1s, healthyThreshold: 2, unhealthyThreshold: 2}
            progressDeadline: 1m
            strategy:
              blueGreen: {scaleDownDelay: 2m}
        """
        .formatted(cmd, replicas);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory; the system cleans it eventually
    }
  }
}
