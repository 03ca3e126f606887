package dev.sluice.bench.flags;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.openfeature.contrib.providers.flagd.Config;
import dev.openfeature.contrib.providers.flagd.FlagdOptions;
import dev.openfeature.contrib.providers.flagd.FlagdProvider;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.sluice.cli.client.ApiClient;
import dev.sluice.core.spec.HostPort;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.openfeature.SluiceProvider;
import dev.sluice.server.AdminToken;
import dev.sluice.server.Daemon;
import dev.sluice.server.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One boolean flag evaluation, on the flag set of {@link BenchFlags}, by four callers:
 *
 * <ul>
 *   <li>{@code sluiceEngine}: Sluice's {@link FlagEvaluator} called directly, as the server's OFREP
 *       endpoint and the OpenFeature provider call it;
 *   <li>{@code sluiceOpenFeature}: an OpenFeature SDK client over Sluice's {@link SluiceProvider}
 *       (in-process evaluation; the provider got the set from a daemon started in the benchmark
 *       JVM, which then sits idle);
 *   <li>{@code flagdOpenFeature}: an OpenFeature SDK client over the flagd Java provider in its
 *       file resolver mode (in-process evaluation of a flag file, no flagd daemon);
 *   <li>{@code flagdProvider}: the same flagd provider called directly, without the SDK's hooks and
 *       context merging: its evaluator's own cost.
 * </ul>
 *
 * <p>Parameter {@code kind} picks the flag: {@code static} (no targeting), {@code targeting}
 * ({@code ends_with} and {@code in}) or {@code fractional} (a 25/75 rollout). Every invocation
 * evaluates for the next of {@link BenchFlags#USERS} prebuilt users, so contexts are not part of
 * the measured work on either side, and the rules see different users. Before measuring, each
 * provider's answers are checked against the engine's for every user and flag ({@link
 * BenchFlags#checkSameWork}).
 *
 * <p>{@code java -cp sluice-bench/target/sluice-bench-router.jar org.openjdk.jmh.Main
 * FlagEvaluationBench -prof gc} (docs/benchmarks.md, "Flag evaluation").
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Five warm-up iterations, not three: on a loaded machine the JIT needs longer, most of all in the
// JVM that also runs a Sluice daemon (sluiceOpenFeature).
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class FlagEvaluationBench {

  /** The flag to evaluate and the users to evaluate it for, cycled per invocation. */
  @State(Scope.Thread)
  public static class Workload {
    @Param({"static", "targeting", "fractional"})
    public String kind = "static";

    String flag = "";
    EvaluationContext[] sluiceContexts = new EvaluationContext[0];
    dev.openfeature.sdk.EvaluationContext[] openFeatureContexts =
        new dev.openfeature.sdk.EvaluationContext[0];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
      flag = BenchFlags.FLAG_BY_KIND.get(kind);
      sluiceContexts = BenchFlags.sluiceContexts();
      openFeatureContexts = BenchFlags.openFeatureContexts();
    }

    int nextUser() {
      next = (next + 1) & (BenchFlags.USERS - 1);
      return next;
    }
  }

  /** Sluice's engine over the set. */
  @State(Scope.Benchmark)
  public static class SluiceEngine {
    FlagEvaluator evaluator = BenchFlags.sluiceEngine();
  }

  /** The flagd provider reading the set from a file, and an SDK client over it. */
  @State(Scope.Benchmark)
  public static class Flagd {
    @Nullable FlagdProvider provider;
    @Nullable Client client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Path file = BenchFlags.writeTemp();
      FlagdProvider p =
          new FlagdProvider(
              FlagdOptions.builder()
                  .resolverType(Config.Resolver.FILE)
                  .offlineFlagSourcePath(file.toString())
                  // the first load of the file can take longer than the 1 s default on a busy
                  // machine
                  .deadline(30_000)
                  .build());
      OpenFeatureAPI.getInstance().setProviderAndWait("flagd", p);
      BenchFlags.checkSameWork(p, "the flagd provider");
      provider = p;
      client = OpenFeatureAPI.getInstance().getClient("flagd");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      OpenFeatureAPI.getInstance().shutdown();
    }
  }

  /** A Sluice daemon holding the set, and an SDK client over a Sluice provider fed by it. */
  @State(Scope.Benchmark)
  public static class SluiceOpenFeature {
    @Nullable Path dir;
    @Nullable Daemon daemon;
    @Nullable Client client;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Path dir = Files.createTempDirectory("sluice-flag-bench-");
      this.dir = dir;
      Path spec = dir.resolve("sluice.yaml");
      Files.writeString(
          spec,
          """
          apps:
            - name: bench
              listen: 127.0.0.1:0
              runtime: {process: {command: [app, "${version}"]}}
          """);
      Daemon d =
          Daemon.start(
              Daemon.Options.of(spec, dir.resolve("state"))
                  .withApiListen(new HostPort("127.0.0.1", 0)));
      daemon = d;
      ApiClient api = ApiClient.forStateDir(dir.resolve("state"));
      api.post("/api/v1/flagset", (ObjectNode) Json.MAPPER.readTree(BenchFlags.json()));
      SluiceProvider p =
          SluiceProvider.builder(d.apiUrl())
              .token(AdminToken.read(dir.resolve("state")))
              .reportInterval(Duration.ZERO)
              .build();
      OpenFeatureAPI.getInstance().setProviderAndWait("sluice", p);
      BenchFlags.checkSameWork(p, "the Sluice provider");
      client = OpenFeatureAPI.getInstance().getClient("sluice");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      OpenFeatureAPI.getInstance().shutdown();
      if (daemon != null) {
        daemon.close();
      }
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  /**
   * No evaluation: picking the next user's context, the harness's own cost per call, which every
   * other benchmark includes.
   */
  @Benchmark
  public EvaluationContext harness(Workload w) {
    return w.sluiceContexts[w.nextUser()];
  }

  @Benchmark
  public EvaluationResult<Boolean> sluiceEngine(Workload w, SluiceEngine s) {
    return s.evaluator.booleanValue(w.flag, false, w.sluiceContexts[w.nextUser()]);
  }

  @Benchmark
  public boolean sluiceOpenFeature(Workload w, SluiceOpenFeature s) {
    return s.client.getBooleanValue(w.flag, false, w.openFeatureContexts[w.nextUser()]);
  }

  @Benchmark
  public boolean flagdOpenFeature(Workload w, Flagd f) {
    return f.client.getBooleanValue(w.flag, false, w.openFeatureContexts[w.nextUser()]);
  }

  @Benchmark
  public ProviderEvaluation<Boolean> flagdProvider(Workload w, Flagd f) {
    return f.provider.getBooleanEvaluation(w.flag, false, w.openFeatureContexts[w.nextUser()]);
  }
}
