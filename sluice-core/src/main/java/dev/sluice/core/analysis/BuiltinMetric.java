package dev.sluice.core.analysis;

import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The metrics the router records for every version, read by the {@code builtin} provider. */
public enum BuiltinMetric {
  /** Requests completed per second in the window. */
  REQUEST_RATE("request_rate", MetricUnit.PER_SECOND, Double.NaN),
  /** The share of 5xx answers (the router's own 502, 503 and 504 included), 0..1. */
  ERROR_RATE("error_rate", MetricUnit.RATIO, Double.NaN),
  /** Median latency, milliseconds. */
  LATENCY_P50("latency_p50", MetricUnit.MILLISECONDS, 50),
  /** 90th percentile latency, milliseconds. */
  LATENCY_P90("latency_p90", MetricUnit.MILLISECONDS, 90),
  /** 95th percentile latency, milliseconds. */
  LATENCY_P95("latency_p95", MetricUnit.MILLISECONDS, 95),
  /** 99th percentile latency, milliseconds. */
  LATENCY_P99("latency_p99", MetricUnit.MILLISECONDS, 99),
  /** Failed upstream attempts (connect, reset, timeout) in the window, retried or not. */
  UPSTREAM_FAILURES("upstream_failures", MetricUnit.NUMBER, Double.NaN),
  /**
   * For a shadow version: the share of compared requests whose shadow answer differed from the
   * stable version's, 0..1.
   */
  DIFF_RATE("diff_rate", MetricUnit.RATIO, Double.NaN);

  private final String specName;
  private final MetricUnit unit;
  private final double percentile;

  BuiltinMetric(String specName, MetricUnit unit, double percentile) {
    this.specName = specName;
    this.unit = unit;
    this.percentile = percentile;
  }

  /** The name written in a spec, e.g. {@code latency_p99}. */
  public String specName() {
    return specName;
  }

  public MetricUnit unit() {
    return unit;
  }

  /** The latency percentile 0..100; NaN for the other metrics. */
  public double percentile() {
    return percentile;
  }

  public boolean isLatency() {
    return unit == MetricUnit.MILLISECONDS;
  }

  /**
   * True when there is one observation per request to compare with the baseline (latency and
   * errors), so the Mann-Whitney judge can run.
   */
  public boolean hasSamples() {
    return this == ERROR_RATE || isLatency();
  }

  /** The metric written as {@code name} in a spec, or null. */
  public static @Nullable BuiltinMetric bySpecName(String name) {
    for (BuiltinMetric m : values()) {
      if (m.specName.equals(name)) {
        return m;
      }
    }
    return null;
  }

  /** Every spec name, in declaration order. */
  public static List<String> specNames() {
    return Arrays.stream(values()).map(BuiltinMetric::specName).toList();
  }
}
