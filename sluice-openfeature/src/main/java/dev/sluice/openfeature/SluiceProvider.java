package dev.sluice.openfeature;

import com.fasterxml.jackson.databind.JsonNode;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.EventProvider;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.ProviderEventDetails;
import dev.openfeature.sdk.Value;
import dev.openfeature.sdk.exceptions.GeneralError;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.flags.FlagSet;
import dev.sluice.flags.FlagSetHolder;
import dev.sluice.openfeature.internal.Contexts;
import dev.sluice.openfeature.internal.EvaluationCache;
import dev.sluice.openfeature.internal.FlagSync;
import dev.sluice.openfeature.internal.Results;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An OpenFeature provider that evaluates Sluice flags in the app's own process, with the same
 * engine as the server, and keeps them current through the server's change stream.
 *
 * <pre>{@code
 * SluiceProvider sluice = SluiceProvider.builder("http://127.0.0.1:9090")
 *     .token(System.getenv("SLUICE_TOKEN"))      // a client token: sluice token create app --role client
 *     .build();
 * OpenFeatureAPI.getInstance().setProviderAndWait(sluice);
 * Client flags = OpenFeatureAPI.getInstance().getClient();
 * boolean on = flags.getBooleanValue("new-checkout", false, new ImmutableContext("user-42"));
 * }</pre>
 *
 * <p>{@link #initialize} downloads the flag set and returns once it has it (the SDK then reports
 * READY), or throws after {@code initTimeout} (ERROR; it keeps trying and reports READY when the
 * server answers). Afterwards:
 *
 * <ul>
 *   <li>a new version of the set emits CONFIGURATION_CHANGED with the changed flag keys;
 *   <li>losing the server emits STALE, and evaluations go on with the last set it sent;
 *   <li>getting it back emits READY (and CONFIGURATION_CHANGED if the set changed meanwhile).
 * </ul>
 *
 * <p>A token created with an environment ({@code --environment production}) gets that environment's
 * flags and evaluates there, as on the server; otherwise the context's {@code environment}
 * attribute chooses. Flags evaluated here are reported to the server every {@code reportInterval},
 * so that {@code sluice flags stale} knows they are in use. Evaluation never throws: failures come
 * back as the caller's default with an error code.
 *
 * <p>The context is converted for the engine only when the flag reads it (targeting or environment
 * overrides), and successful evaluations of boolean, string and number flags return one shared
 * {@link ProviderEvaluation} per variant and reason: the OpenFeature SDK only reads them, and code
 * that calls the provider directly must not modify them either.
 */
public final class SluiceProvider extends EventProvider {
  private final FlagSync.Settings settings;
  private final Duration initTimeout;
  private final Duration reportInterval;
  private final FlagSetHolder holder = FlagSetHolder.of(FlagSet.empty());
  private final FlagEvaluator evaluator;
  private final Set<String> evaluated = ConcurrentHashMap.newKeySet();
  private final EvaluationCache cache = new EvaluationCache();
  private final Function<@Nullable EvaluationContext, dev.sluice.flags.EvaluationContext>
      toContext = this::context;
  private final CountDownLatch firstLoad = new CountDownLatch(1);
  private volatile boolean initialized;
  private volatile @Nullable String lastProblem;
  private @Nullable FlagSync sync;
  private @Nullable ScheduledExecutorService reporter;

  private SluiceProvider(Builder b) {
    this.settings =
        new FlagSync.Settings(
            URI.create(b.url.endsWith("/") ? b.url : b.url + "/"),
            b.token,
            b.minBackoff,
            b.maxBackoff,
            b.silence,
            b.requestTimeout);
    this.initTimeout = b.initTimeout;
    this.reportInterval = b.reportInterval;
    this.evaluator = FlagEvaluator.of(holder, b.clock);
  }

  /** A builder for a provider that reads the Sluice control API at {@code url}. */
  public static Builder builder(String url) {
    return new Builder(url);
  }

  @Override
  public Metadata getMetadata() {
    return () -> "sluice";
  }

  /** The flag set in use (the empty set before the first download). */
  public FlagSet flags() {
    return holder.get();
  }

  /** The server's version of the set in use; -1 before the first download. */
  public long version() {
    FlagSync s = sync;
    return s == null ? -1 : s.version();
  }

  @Override
  public synchronized void initialize(EvaluationContext evaluationContext) throws Exception {
    if (sync != null) {
      return;
    }
    FlagSync s = new FlagSync(settings, holder, new Events());
    sync = s;
    s.start();
    if (!reportInterval.isZero()) {
      ScheduledExecutorService r =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread t = new Thread(task, "sluice-openfeature-report");
                t.setDaemon(true);
                return t;
              });
      long every = reportInterval.toMillis();
      r.scheduleWithFixedDelay(this::report, every, every, TimeUnit.MILLISECONDS);
      reporter = r;
    }
    boolean loaded = firstLoad.await(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
    initialized = true;
    if (!loaded) {
      throw new GeneralError(
          "no flags from Sluice within "
              + initTimeout
              + (lastProblem == null ? "" : ": " + lastProblem)
              + "; still trying");
    }
  }

  /** Reports to the OpenFeature SDK as the sync sees the server. */
  private final class Events implements FlagSync.Listener {
    @Override
    public void connected(boolean first) {
      lastProblem = null;
      firstLoad.countDown();
      // The SDK reports READY itself when initialize returns; after that, it is ours to say.
      if (initialized) {
        emitProviderReady(ProviderEventDetails.builder().message("connected to Sluice").build());
      }
    }

    @Override
    public void changed(Set<String> changedKeys) {
      emitProviderConfigurationChanged(
          ProviderEventDetails.builder()
              .flagsChanged(new ArrayList<>(changedKeys))
              .message("flag set version " + version())
              .build());
    }

    @Override
    public void disconnected(String why, boolean everConnected) {
      lastProblem = why;
      if (everConnected) {
        emitProviderStale(ProviderEventDetails.builder().message(why).build());
      } else if (initialized) {
        emitProviderError(
            ProviderEventDetails.builder().message(why).errorCode(ErrorCode.GENERAL).build());
      }
    }
  }

  private void report() {
    FlagSync s = sync;
    if (s == null || evaluated.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(evaluated);
    evaluated.removeAll(keys);
    try {
      s.reportEvaluated(Set.copyOf(keys));
    } catch (Exception e) {
      evaluated.addAll(keys); // next time
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public synchronized void shutdown() {
    ScheduledExecutorService r = reporter;
    if (r != null) {
      r.shutdownNow();
      report();
    }
    FlagSync s = sync;
    if (s != null) {
      s.close();
    }
    super.shutdown();
  }

  /**
   * The engine's context for the SDK's; the engine calls it only for flags that read the context,
   * so flags served the same to everyone cost no conversion.
   */
  private dev.sluice.flags.EvaluationContext context(@Nullable EvaluationContext ctx) {
    FlagSync s = sync;
    return Contexts.of(ctx, s == null ? null : s.environment());
  }

  /**
   * The OpenFeature evaluation of a result: the one built earlier for the same reused engine result
   * (successful evaluations of non-object flags), or a new one.
   */
  private <T> ProviderEvaluation<T> evaluation(EvaluationResult<T> r) {
    if (r.isError() || r.variant() == null) {
      return Results.of(r, r.value());
    }
    ProviderEvaluation<T> cached = cache.find(r);
    if (cached != null) {
      return cached;
    }
    ProviderEvaluation<T> built = Results.of(r, r.value());
    cache.put(r, built);
    return built;
  }

  private void used(EvaluationResult<?> r) {
    if (r.errorCode() != dev.sluice.flags.ErrorCode.FLAG_NOT_FOUND
        && !evaluated.contains(r.flagKey())) {
      evaluated.add(r.flagKey());
    }
  }

  @Override
  public ProviderEvaluation<Boolean> getBooleanEvaluation(
      String key, Boolean defaultValue, EvaluationContext ctx) {
    EvaluationResult<Boolean> r = evaluator.booleanValue(key, defaultValue, ctx, toContext);
    used(r);
    return evaluation(r);
  }

  @Override
  public ProviderEvaluation<String> getStringEvaluation(
      String key, String defaultValue, EvaluationContext ctx) {
    EvaluationResult<String> r = evaluator.stringValue(key, defaultValue, ctx, toContext);
    used(r);
    return evaluation(r);
  }

  @Override
  public ProviderEvaluation<Integer> getIntegerEvaluation(
      String key, Integer defaultValue, EvaluationContext ctx) {
    EvaluationResult<Long> r = evaluator.integerValue(key, defaultValue, ctx, toContext);
    used(r);
    long v = r.value();
    if (v != (int) v) {
      return Results.failure(
          r, defaultValue, ErrorCode.TYPE_MISMATCH, "flag " + key + " is " + v + ", not an int");
    }
    if (r.isError() || r.variant() == null) {
      return Results.of(r, defaultValue);
    }
    ProviderEvaluation<Integer> cached = cache.find(r);
    if (cached != null) {
      return cached;
    }
    ProviderEvaluation<Integer> built = Results.of(r, (int) v);
    cache.put(r, built);
    return built;
  }

  @Override
  public ProviderEvaluation<Double> getDoubleEvaluation(
      String key, Double defaultValue, EvaluationContext ctx) {
    EvaluationResult<Double> r = evaluator.doubleValue(key, defaultValue, ctx, toContext);
    used(r);
    return evaluation(r);
  }

  @Override
  public ProviderEvaluation<Value> getObjectEvaluation(
      String key, Value defaultValue, EvaluationContext ctx) {
    EvaluationResult<JsonNode> r =
        evaluator.objectValue(key, Results.json(defaultValue), ctx, toContext);
    used(r);
    // the caller's own default object comes back as it was given
    Value value = r.variant() == null ? defaultValue : Results.value(r.value());
    return Results.of(r, value);
  }

  /** Settings for a {@link SluiceProvider}; every one has a default. */
  public static final class Builder {
    private final String url;
    private @Nullable String token;
    private Duration initTimeout = Duration.ofSeconds(10);
    private Duration minBackoff = Duration.ofMillis(250);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration silence = Duration.ofSeconds(45);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration reportInterval = Duration.ofMinutes(1);
    private Clock clock = Clock.systemUTC();

    private Builder(String url) {
      this.url = url;
    }

    /** The API token ({@code client} role is enough); none by default. */
    public Builder token(@Nullable String token) {
      this.token = token;
      return this;
    }

    /** How long {@link SluiceProvider#initialize} waits for the flags (default 10 s). */
    public Builder initTimeout(Duration initTimeout) {
      this.initTimeout = initTimeout;
      return this;
    }

    /** The first and the longest wait between reconnects (default 250 ms, 30 s). */
    public Builder backoff(Duration min, Duration max) {
      this.minBackoff = min;
      this.maxBackoff = max;
      return this;
    }

    /** After how long without a word a change stream counts as broken (default 45 s). */
    public Builder silence(Duration silence) {
      this.silence = silence;
      return this;
    }

    /** Timeout of each download (default 10 s). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** How often evaluated flag keys go to the server (default 1 min; zero: never). */
    public Builder reportInterval(Duration reportInterval) {
      this.reportInterval = reportInterval;
      return this;
    }

    /** The clock rules read as {@code $flagd.timestamp} (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public SluiceProvider build() {
      return new SluiceProvider(this);
    }
  }
}
