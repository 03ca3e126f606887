package dev.sluice.core.analysis;

import dev.sluice.core.analysis.internal.Decimals;

/**
 * What a metric's numbers measure, which decides how they are shown: {@code 412ms}, {@code 5.2%},
 * {@code 40/s}.
 */
public enum MetricUnit {
  /** A plain number, shown as is. */
  NUMBER,
  /** A share 0..1, shown as a percentage. */
  RATIO,
  /** Milliseconds, shown as {@code 412ms} (or seconds from 10 s up). */
  MILLISECONDS,
  /** Events per second. */
  PER_SECOND;

  /** Renders a value in this unit. */
  public String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Decimals.format(v);
    }
    return switch (this) {
      case NUMBER -> Decimals.format(v);
      case RATIO -> Decimals.format(v * 100) + "%";
      case MILLISECONDS ->
          Math.abs(v) >= 10_000 ? Decimals.format(v / 1000) + "s" : Decimals.format(v) + "ms";
      case PER_SECOND -> Decimals.format(v) + "/s";
    };
  }

  /** Renders a difference in this unit with its sign, e.g. {@code +203ms}. */
  public String formatSigned(double v) {
    String s = format(v);
    return v > 0 ? "+" + s : s;
  }
}
