package dev.sluice.core.analysis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One metric of an analysis: where its value comes from, the conditions it must meet, and how it
 * counts in the score.
 *
 * @param name unique within its analysis, e.g. {@code p99}
 * @param provider where the value comes from
 * @param conditions limits on the value; each may be null
 * @param weight how much the metric counts in the score; 0 shows it without counting it
 * @param critical when true, a failure of this metric fails the whole measurement (score 0)
 * @param judge whether the Mann-Whitney judge compares canary and baseline samples (builtin {@code
 *     error_rate} and latency metrics only)
 * @param effectSize the judge's effect bound, the smallest {@code |A - 0.5|} it calls a difference
 */
public record MetricSpec(
    String name,
    Provider provider,
    Conditions conditions,
    double weight,
    boolean critical,
    boolean judge,
    double effectSize) {

  /** The judge's default effect bound for latency: "small" in Vargha and Delaney's terms. */
  public static final double LATENCY_EFFECT = 0.06;

  /**
   * The judge's default effect bound for error rates: for 0/1 outcomes {@code A - 0.5} is half the
   * difference of the error rates, so 0.005 means one percentage point more 5xx answers.
   */
  public static final double ERROR_EFFECT = 0.005;

  public MetricSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(conditions, "conditions");
    if (judge && !(provider instanceof Builtin b && b.metric().hasSamples())) {
      throw new IllegalArgumentException(
          name + ".judge: true (expected: only builtin error_rate and latency metrics)");
    }
  }

  /**
   * A metric with the defaults filled in: weight 1, not critical, judged when it has samples (with
   * the default effect bound of its kind).
   */
  public static MetricSpec of(String name, Provider provider, Conditions conditions) {
    boolean samples = provider instanceof Builtin b && b.metric().hasSamples();
    return new MetricSpec(name, provider, conditions, 1, false, samples, defaultEffect(provider));
  }

  /** The default effect bound for a provider's metric (0 when it has no samples to judge). */
  public static double defaultEffect(Provider provider) {
    if (provider instanceof Builtin b && b.metric().hasSamples()) {
      return b.metric() == BuiltinMetric.ERROR_RATE ? ERROR_EFFECT : LATENCY_EFFECT;
    }
    return 0;
  }

  public MetricSpec withWeight(double weight) {
    return new MetricSpec(name, provider, conditions, weight, critical, judge, effectSize);
  }

  public MetricSpec withCritical(boolean critical) {
    return new MetricSpec(name, provider, conditions, weight, critical, judge, effectSize);
  }

  public MetricSpec withJudge(boolean judge) {
    return new MetricSpec(name, provider, conditions, weight, critical, judge, effectSize);
  }

  /** How the metric's values are shown. */
  public MetricUnit unit() {
    return provider instanceof Builtin b ? b.metric().unit() : MetricUnit.NUMBER;
  }

  /**
   * Limits on a metric's value. A condition that is null is not checked.
   *
   * @param max the canary's value must be at most this
   * @param min the canary's value must be at least this
   * @param maxRatioToBaseline canary / baseline must be at most this
   * @param maxIncrease canary - baseline must be at most this
   */
  public record Conditions(
      @Nullable Double max,
      @Nullable Double min,
      @Nullable Double maxRatioToBaseline,
      @Nullable Double maxIncrease) {

    /** No conditions. */
    public static final Conditions NONE = new Conditions(null, null, null, null);

    public static Conditions max(double max) {
      return new Conditions(max, null, null, null);
    }

    public static Conditions maxRatioToBaseline(double ratio) {
      return new Conditions(null, null, ratio, null);
    }

    /** True when no condition is set. */
    public boolean isEmpty() {
      return max == null && min == null && maxRatioToBaseline == null && maxIncrease == null;
    }

    /** True when a condition compares with the baseline. */
    public boolean needsBaseline() {
      return maxRatioToBaseline != null || maxIncrease != null;
    }
  }

  /** Where a metric's value comes from. */
  public sealed interface Provider {
    /**
     * The name used in specs: {@code builtin}, {@code prometheus}, {@code http}, {@code command}.
     */
    String kind();
  }

  /** A metric the router records per version ({@code builtin: error_rate}). */
  public record Builtin(BuiltinMetric metric) implements Provider {
    @Override
    public String kind() {
      return "builtin";
    }
  }

  /**
   * An instant PromQL query against a Prometheus HTTP API. {@code {{app}}}, {@code {{version}}}
   * (the version measured: the canary, or the stable version for baseline conditions), {@code
   * {{stable}}}, {@code {{canary}}} and {@code {{window}}} (e.g. {@code 30s}) are substituted.
   *
   * @param address the server's base URL, e.g. {@code http://127.0.0.1:9090}
   * @param query the PromQL; the first sample of the result is the value
   * @param timeout how long one query may take
   */
  public record Prometheus(String address, String query, Duration timeout) implements Provider {
    @Override
    public String kind() {
      return "prometheus";
    }
  }

  /**
   * A GET of a URL that answers JSON, and a number read from it with a JSON pointer (RFC 6901). The
   * URL takes the same placeholders as a Prometheus query.
   *
   * @param url the URL template
   * @param jsonPointer where the number is, e.g. {@code /queue/depth}
   * @param headers request headers
   * @param timeout how long the request may take
   */
  public record Http(String url, String jsonPointer, Map<String, String> headers, Duration timeout)
      implements Provider {
    public Http {
      headers = Map.copyOf(headers);
    }

    @Override
    public String kind() {
      return "http";
    }
  }

  /**
   * A command: exit status 0 passes and any other fails; with conditions, the last line it prints
   * is the number they check. It runs with {@code SLUICE_APP}, {@code SLUICE_VERSION} and {@code
   * SLUICE_CANARY} (the canary), {@code SLUICE_STABLE} and {@code SLUICE_WINDOW} (seconds) set.
   *
   * @param command the program and its arguments
   * @param timeout how long it may run before it is killed (an error, not a failure)
   */
  public record Command(List<String> command, Duration timeout) implements Provider {
    public Command {
      command = List.copyOf(command);
    }

    @Override
    public String kind() {
      return "command";
    }
  }
}
