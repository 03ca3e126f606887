package dev.sluice.bench.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.bench.soak.SoakReport.Release;
import dev.sluice.cli.client.ApiClient.ApiException;
import dev.sluice.core.spec.Durations;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak test: the built daemon ({@code sluice up}) runs a canary app of sample-app replicas
 * under steady load for a long time; every {@code --release-every} a new version is deployed,
 * alternately a good one (its canary passes analysis and is promoted) and a bad one (slower, or
 * failing, so the analysis rolls it back); replicas are killed with SIGKILL at random; the daemon's
 * RSS is sampled every 10 s. At the end it prints the totals and the RSS series, and exits 1 when a
 * request failed unexpectedly or a release did not end as it should.
 *
 * <p>A bad version is slow by default ({@code --bad slow}: every answer 200 ms late): the analysis
 * catches it on latency while every user request still succeeds, so any failed request is a failure
 * of Sluice. With {@code --bad errors} it answers half its requests with 500, and those are counted
 * apart as failures by design.
 *
 * <p>{@code sluice-bench/soak.sh --duration 30m}; see docs/benchmarks.md.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    description = "Releases under load for a long time, with replica kills; reports failures.")
public final class Soak implements Callable<Integer> {

  @Option(names = "--duration", paramLabel = "D", description = "load time (default: 30m)")
  String duration = "30m";

  @Option(names = "--release-every", paramLabel = "D", description = "default: 1m, at least 40s")
  String releaseEvery = "1m";

  @Option(
      names = "--kill-every",
      paramLabel = "D",
      description = "mean time between replica kills, 0s for none (default: 20s)")
  String killEvery = "20s";

  @Option(names = "--rate", paramLabel = "N", description = "requests/s in all (default: 200)")
  double rate = 200;

  @Option(names = "--concurrency", paramLabel = "N", description = "clients (default: 8)")
  int concurrency = 8;

  @Option(
      names = "--bad",
      paramLabel = "slow|errors",
      description = "how a bad version is bad (default: slow)")
  String bad = "slow";

  @Option(
      names = "--bad-latency",
      paramLabel = "D",
      description = "added to each answer of a slow bad version (default: 200ms)")
  String badLatency = "200ms";

  @Option(names = "--seed", paramLabel = "N", description = "for the kills (default: random)")
  Long seed;

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description = "the sluice jar (default: sluice-cli/target/sluice.jar)")
  Path jar = Path.of("sluice-cli/target/sluice.jar");

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where the RSS CSV and the report go (default: sluice-bench/target/soak)")
  Path out = Path.of("sluice-bench/target/soak");

  @Option(
      names = "--daemon-jvm-option",
      paramLabel = "OPT",
      description =
          "an extra JVM option of the daemon, repeatable (e.g. -XX:NativeMemoryTracking=summary)")
  List<String> daemonJvmOptions = new java.util.ArrayList<>();

  private static final PrintStream OUT = System.out;
  private static final Duration SAMPLE_PERIOD = Duration.ofSeconds(10);

  public static void main(String[] args) {
    System.exit(new CommandLine(new Soak()).execute(args));
  }

  /** {@code nanos} since the load started as {@code mm:ss}. */
  static String clock(long nanos) {
    long s = nanos / 1_000_000_000L;
    return String.format("%02d:%02d", s / 60, s % 60);
  }

  @Override
  public Integer call() throws Exception {
    Duration total = Durations.parse(duration);
    Duration every = Durations.parse(releaseEvery);
    Duration killMean = Durations.parse(killEvery);
    Duration slow = Durations.parse(badLatency);
    if (total == null || every == null || killMean == null || slow == null) {
      return refuse(
          "--duration "
              + duration
              + ", --release-every "
              + releaseEvery
              + ", --kill-every "
              + killEvery
              + ", --bad-latency "
              + badLatency
              + " (expected: durations such as 30m, 45s, 500ms, 0s)");
    }
    if (every.compareTo(Duration.ofSeconds(40)) < 0 || total.compareTo(every) < 0) {
      return refuse(
          "--release-every: "
              + releaseEvery
              + " (expected: at least 40s, the time a canary takes, and at most --duration)");
    }
    if (!(rate > 0 && rate <= 5000) || concurrency < 1 || concurrency > 256) {
      return refuse(
          "--rate: " + rate + ", --concurrency: " + concurrency + " (expected: 0..5000, 1..256)");
    }
    if (!bad.equals("slow") && !bad.equals("errors")) {
      return refuse("--bad: " + bad + " (expected: slow or errors)");
    }
    if (!Files.isRegularFile(jar)) {
      return refuse("--jar: " + jar + " does not exist (build it: see soak.sh)");
    }
    String badArgs = bad.equals("slow") ? "--latency-ms " + slow.toMillis() : "--error-rate 0.5";
    long killSeed = seed != null ? seed : System.nanoTime();
    String java = ProcessHandle.current().info().command().orElse("java");
    Files.createDirectories(out);
    Path dir = Files.createTempDirectory("sluice-soak-");
    OUT.printf(
        "soak: %s of %.0f requests/s from %d clients, a release every %s (good, bad: %s), a"
            + " replica kill every %s on average (seed %d)%nload average at start: %s%n",
        Durations.format(total),
        rate,
        concurrency,
        Durations.format(every),
        badArgs,
        killMean.isZero() ? "(none)" : Durations.format(killMean),
        killSeed,
        loadAverage());
    SoakReport r;
    try (SoakDaemon daemon = SoakDaemon.start(dir, java, jar, daemonOptions())) {
      r = run(daemon, total, every, killMean, badArgs, new Random(killSeed));
    }
    r.print(OUT, out, bad.equals("errors"));
    OUT.printf("load average at end: %s%n", loadAverage());
    if (r.passed(bad.equals("errors"))) {
      deleteTree(dir);
      OUT.println("PASSED");
      return 0;
    }
    OUT.println("FAILED; the daemon's directory (spec, daemon.log, replica logs) is kept: " + dir);
    return 1;
  }

  private List<String> daemonOptions() {
    List<String> o =
        new java.util.ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m"));
    o.addAll(daemonJvmOptions);
    return o;
  }

  private SoakReport run(
      SoakDaemon daemon,
      Duration total,
      Duration every,
      Duration killMean,
      String badArgs,
      Random random)
      throws Exception {
    SoakReport r = new SoakReport();
    OUT.printf("daemon: pid %d, log %s%n", daemon.pid(), daemon.log());
    daemon.define("v1", "");
    daemon.deploy("v1");
    await(
        daemon, a -> a.path("stable").path("version").asText().equals("v1"), Duration.ofMinutes(2));
    URI target = URI.create("http://" + daemon.app().path("listen").asText() + "/");
    Set<String> badVersions = ConcurrentHashMap.newKeySet();
    PacedLoad load = PacedLoad.start(target, concurrency, rate, badVersions, total.plusMinutes(5));
    long t0 = load.startNanos();
    ProcessSampler sampler = ProcessSampler.start(daemon.pid(), t0, SAMPLE_PERIOD);
    ReplicaKiller killer =
        new ReplicaKiller(daemon, killMean.toMillis(), t0, t0 + total.toNanos(), random, OUT);
    if (!killMean.isZero()) {
      killer.start();
    }
    String stable = "v1";
    long releases = total.toNanos() / every.toNanos();
    try {
      for (int i = 0; i < releases && daemon.alive(); i++) {
        sleepUntil(t0 + i * every.toNanos());
        boolean isBad = i % 2 == 1;
        String version = "v" + (i + 2);
        daemon.define(version, isBad ? badArgs : "");
        if (isBad) {
          badVersions.add(version);
        }
        OUT.printf(
            "[%s] release %d: deploying %s (%s)%n",
            clock(System.nanoTime() - t0), i + 1, version, isBad ? "bad: " + badArgs : "good");
        Release rel = release(daemon, version, isBad, stable, every.multipliedBy(2), t0);
        r.releases.add(rel);
        if (rel.promoted()) {
          stable = version;
        }
        String why =
            rel.reason().length() > 200 ? rel.reason().substring(0, 200) + "..." : rel.reason();
        OUT.printf(
            "[%s] release %d: %s (%s) %s, %.1f s after its deploy%s%n",
            clock(rel.endNanos()),
            i + 1,
            version,
            isBad ? "bad" : "good",
            rel.status(),
            (rel.endNanos() - rel.startNanos()) / 1e9,
            rel.expected() ? (isBad ? ": " + why : "") : " UNEXPECTED: " + why);
      }
      sleepUntil(t0 + total.toNanos());
    } finally {
      killer.stop();
      load.close();
      sampler.close();
    }
    r.daemonAlive = daemon.alive();
    r.seconds = (System.nanoTime() - t0) / 1e9;
    r.requests = load.total();
    r.failures = load.failures();
    r.failed = load.failed();
    r.servedByBad = load.servedByBad();
    r.keptFailures = load.keptFailures();
    r.latency = load.latencyMicros();
    r.kills = killer.kills();
    r.killErrors = killer.errors();
    r.killsSkipped = killer.skipped();
    r.rss = sampler.samples();
    if (r.daemonAlive) {
      try {
        finalState(daemon, r, stable);
      } catch (ApiException e) {
        OUT.println("the daemon did not answer at the end: " + e.getMessage());
        r.daemonAlive = false;
      }
    }
    return r;
  }

  /** Reads how the daemon ends, once its last replicas had a minute to come back. */
  private static void finalState(SoakDaemon daemon, SoakReport r, String stable)
      throws ApiException, InterruptedException {
    // the last kill may have been a moment ago: give its replica time to come back
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!settled(daemon.app()) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(250);
    }
    JsonNode app = daemon.app();
    r.finalStable = app.path("stable").path("version").asText();
    r.expectedStable = stable;
    for (JsonNode v : app.path("versions")) {
      r.finalReplicas += v.path("running").asInt();
      r.finalHealthy += v.path("healthy").asInt();
    }
    for (JsonNode rel : daemon.releases().path("releases")) {
      r.storedStatuses.merge(rel.path("status").asText(), 1, Integer::sum);
    }
  }

  /** Deploys {@code version} and waits until its release is done (aborting it if it pauses). */
  private static Release release(
      SoakDaemon daemon, String version, boolean isBad, String stable, Duration limit, long t0)
      throws Exception {
    long start = System.nanoTime() - t0;
    try {
      daemon.deploy(version);
    } catch (ApiException e) {
      return new Release(version, isBad, start, start, "NotStarted", e.getMessage(), false);
    }
    long deadline = System.nanoTime() + limit.toNanos();
    boolean aborted = false;
    while (true) {
      JsonNode app;
      try {
        app = daemon.app();
      } catch (ApiException e) {
        if (!daemon.alive() || System.nanoTime() > deadline) {
          return new Release(
              version, isBad, start, System.nanoTime() - t0, "Unknown", e.getMessage(), false);
        }
        TimeUnit.MILLISECONDS.sleep(250);
        continue;
      }
      JsonNode rel = app.path("release");
      String status = rel.path("status").asText();
      if (rel.path("version").asText().equals(version) && rel.path("done").asBoolean()) {
        String now = app.path("stable").path("version").asText();
        boolean expected =
            !aborted
                && (isBad
                    ? status.equals("RolledBack") && now.equals(stable)
                    : status.equals("Succeeded") && now.equals(version));
        return new Release(
            version,
            isBad,
            start,
            System.nanoTime() - t0,
            (aborted ? "Paused, then aborted by the soak: " : "") + status,
            rel.path("reason").asText("") + " (stable now " + now + ")",
            expected);
      }
      if (!aborted && (status.equals("Paused") || System.nanoTime() > deadline)) {
        // a release that waits for a person (or takes too long) is not what the soak expects;
        // abort it so the next one can start
        OUT.printf(
            "[%s] %s is %s (%s): aborting it%n",
            clock(System.nanoTime() - t0), version, status, rel.path("reason").asText(""));
        daemon.abort();
        aborted = true;
        deadline = System.nanoTime() + limit.toNanos();
      } else if (aborted && System.nanoTime() > deadline) {
        throw new IllegalStateException(version + " did not end after an abort: " + app);
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  /** One version left, every replica of it running and healthy, the release done. */
  private static boolean settled(JsonNode app) {
    JsonNode versions = app.path("versions");
    return app.path("release").path("done").asBoolean()
        && versions.size() == 1
        && versions.get(0).path("healthy").asInt() == versions.get(0).path("replicas").asInt();
  }

  private static void await(SoakDaemon daemon, Predicate<JsonNode> done, Duration limit)
      throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!done.test(daemon.app())) {
      if (System.nanoTime() > deadline || !daemon.alive()) {
        throw new IllegalStateException("waited " + limit + ": " + daemon.app());
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long wait = nanoTime - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private static int refuse(String message) {
    System.err.println(message);
    return 2;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
