package dev.sluice.server.analysis;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisSpec;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricEvaluator;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.analysis.Reading;
import dev.sluice.core.analysis.Scorer;
import dev.sluice.core.spec.Durations;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.metrics.StatusCounts;
import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.shadow.ShadowResults;
import dev.sluice.router.shadow.ShadowWindow;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The measuring side of analysis. For one measurement of an analysis it reads the router's window
 * of both versions, skips the measurement as inconclusive when the canary served fewer than {@code
 * minRequests} requests, otherwise reads every metric in parallel (each on its own virtual thread,
 * each with its own timeout), evaluates each reading and scores the whole.
 *
 * <pre>{@code
 * try (Analyzer analyzer = Analyzer.create(router.metrics(), specDir)) {
 *   analyzer.analyze(spec, "shop", "v1", "v2", spec.window())
 *       .thenAccept(result -> log(result.describe()));
 * }
 * }</pre>
 *
 * <p>The returned future does not complete exceptionally: a provider that fails or times out gives
 * its metric an Error classification, and a window the router cannot give (longer than its 10
 * minutes) makes the whole result an ERROR. Thread-safe; one instance serves every app.
 */
public final class Analyzer implements AutoCloseable {
  /** How long a builtin read may take: it is in memory, so this only guards against bugs. */
  private static final Duration BUILTIN_TIMEOUT = Duration.ofSeconds(5);

  private final RouterMetrics metrics;
  private final @Nullable ShadowResults shadows;
  private final ExecutorService executor;
  private @Nullable HttpClient http; // built on first use: it costs TLS set-up, builtin needs none
  private final MetricProvider builtin;
  private final MetricProvider prometheus;
  private final MetricProvider httpJson;
  private final MetricProvider command;

  private Analyzer(RouterMetrics metrics, @Nullable ShadowResults shadows, Path workingDir) {
    this.metrics = metrics;
    this.shadows = shadows;
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    JsonClient json = new JsonClient(this::http);
    this.builtin = new BuiltinProvider();
    this.prometheus = new PrometheusProvider(json);
    this.httpJson = new HttpProvider(json);
    this.command = new CommandProvider(workingDir);
  }

  /**
   * An analyzer reading the router's metrics; commands run in {@code workingDir} (the spec file's
   * directory).
   */
  public static Analyzer create(RouterMetrics metrics, Path workingDir) {
    return create(metrics, null, workingDir);
  }

  /** An analyzer that also reads the router's shadow comparisons (for {@code diff_rate}). */
  public static Analyzer create(
      RouterMetrics metrics, @Nullable ShadowResults shadows, Path workingDir) {
    return new Analyzer(
        Objects.requireNonNull(metrics, "metrics"),
        shadows,
        Objects.requireNonNull(workingDir, "workingDir"));
  }

  /**
   * Measures every metric of {@code spec} for {@code canary} against {@code stable}.
   *
   * @param app the app (the router's listener name)
   * @param stable the stable version to compare with; null when there is none
   * @param canary the version under analysis
   * @param window how far back to look, 1 s to 10 min (usually {@code spec.window()})
   */
  public CompletableFuture<AnalysisResult> analyze(
      AnalysisSpec spec, String app, @Nullable String stable, String canary, Duration window) {
    return CompletableFuture.supplyAsync(
            () -> {
              WindowSnapshot c = metrics.window(app, canary, window);
              WindowSnapshot b = stable == null ? null : metrics.window(app, stable, window);
              ShadowWindow sw = shadows == null ? null : shadows.window(app, canary, window);
              return new Target(app, stable, canary, window, spec.minRequests(), c, b, sw);
            },
            executor)
        .thenCompose(t -> measure(spec, t))
        .exceptionally(
            e ->
                new AnalysisResult(
                    AnalysisResult.Verdict.ERROR,
                    null,
                    "could not read the router's metrics: " + describe(e, null),
                    0,
                    0,
                    List.of()));
  }

  /**
   * Measures every metric of {@code spec} for the requests that got {@code variant} of a flag the
   * app evaluates at the edge, against the requests that got any other variant of it (their windows
   * merged): the guarded rollout of a flag. Only builtin metrics make sense here; {@code
   * upstream_failures} is always 0 for a variant.
   */
  public CompletableFuture<AnalysisResult> analyzeFlag(
      AnalysisSpec spec, String app, String flag, String variant, Duration window) {
    return CompletableFuture.supplyAsync(
            () -> {
              WindowSnapshot c = metrics.flagWindow(app, flag, variant, window);
              WindowSnapshot b = null;
              for (String other : metrics.flagVariants(app, flag)) {
                if (!other.equals(variant)) {
                  b = merge(b, metrics.flagWindow(app, flag, other, window));
                }
              }
              return new Target(app, "other variants", variant, window, spec.minRequests(), c, b);
            },
            executor)
        .thenCompose(t -> measure(spec, t))
        .exceptionally(
            e ->
                new AnalysisResult(
                    AnalysisResult.Verdict.ERROR,
                    null,
                    "could not read the router's metrics: " + describe(e, null),
                    0,
                    0,
                    List.of()));
  }

  private static WindowSnapshot merge(@Nullable WindowSnapshot a, WindowSnapshot b) {
    if (a == null) {
      return b;
    }
    StatusCounts x = a.counts();
    StatusCounts y = b.counts();
    org.HdrHistogram.Histogram latency = a.latency().copy();
    latency.add(b.latency());
    return new WindowSnapshot(
        a.window(),
        a.requests() + b.requests(),
        new StatusCounts(
            x.informational() + y.informational(),
            x.success() + y.success(),
            x.redirection() + y.redirection(),
            x.clientError() + y.clientError(),
            x.serverError() + y.serverError()),
        a.upstreamFailures() + b.upstreamFailures(),
        latency);
  }

  private CompletableFuture<AnalysisResult> measure(AnalysisSpec spec, Target t) {
    long canaryRequests = t.canaryTraffic().requests();
    long baselineRequests = t.baselineTraffic() == null ? 0 : t.baselineTraffic().requests();
    if (canaryRequests < spec.minRequests()) {
      return CompletableFuture.completedFuture(
          AnalysisResult.tooFewRequests(spec, t.window(), canaryRequests, baselineRequests));
    }
    List<CompletableFuture<Measurement>> each = new ArrayList<>();
    for (MetricSpec m : spec.metrics()) {
      each.add(
          read(m, t)
              .handle(
                  (reading, failure) ->
                      failure == null
                          ? MetricEvaluator.evaluate(spec, m, reading, canaryRequests)
                          : Measurement.error(m, canaryRequests, describe(failure, m))));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(
            done ->
                Scorer.score(
                    spec,
                    each.stream().map(CompletableFuture::join).toList(),
                    canaryRequests,
                    baselineRequests));
  }

  /** Reads one metric on its own thread; past its time limit the thread is interrupted. */
  private CompletableFuture<Reading> read(MetricSpec m, Target t) {
    MetricProvider provider = provider(m.provider());
    CompletableFuture<Reading> result = new CompletableFuture<>();
    Future<?> task =
        executor.submit(
            () -> {
              try {
                result.complete(provider.read(m, t));
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            });
    result
        .orTimeout(limit(m).toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (r, e) -> {
              if (e instanceof TimeoutException) {
                task.cancel(true);
              }
            });
    return result;
  }

  private MetricProvider provider(MetricSpec.Provider p) {
    return switch (p) {
      case MetricSpec.Builtin b -> builtin;
      case MetricSpec.Prometheus q -> prometheus;
      case MetricSpec.Http h -> httpJson;
      case MetricSpec.Command c -> command;
    };
  }

  /**
   * The backstop around a provider: its own timeout fires first with a better message (twice over
   * when it also measures the baseline), this one only catches a provider that ignores it.
   */
  private static Duration limit(MetricSpec m) {
    int reads = m.conditions().needsBaseline() ? 2 : 1;
    Duration grace = Duration.ofSeconds(2);
    return switch (m.provider()) {
      case MetricSpec.Builtin b -> BUILTIN_TIMEOUT;
      case MetricSpec.Prometheus q -> q.timeout().multipliedBy(reads).plus(grace);
      case MetricSpec.Http h -> h.timeout().multipliedBy(reads).plus(grace);
      case MetricSpec.Command c -> c.timeout().plus(grace);
    };
  }

  private static String describe(Throwable failure, @Nullable MetricSpec m) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof TimeoutException && m != null) {
      return "no reading within " + Durations.format(limit(m));
    }
    if (e instanceof InterruptedException) {
      return "interrupted";
    }
    String message = e.getMessage();
    if (e instanceof MetricException && message != null) {
      return message;
    }
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private synchronized HttpClient http() {
    if (http == null) {
      http =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .executor(executor)
              .build();
    }
    return http;
  }

  /** Stops every measurement under way and frees the HTTP client. */
  @Override
  public void close() {
    executor.shutdownNow();
    HttpClient client;
    synchronized (this) {
      client = http;
    }
    if (client != null) {
      client.shutdownNow();
    }
  }
}
