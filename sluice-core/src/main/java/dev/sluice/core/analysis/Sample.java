package dev.sluice.core.analysis;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sample of observations given as distinct values with their counts, sorted by value: an
 * HdrHistogram of thousands of latencies is a few hundred pairs, and error outcomes are two pairs
 * (0 for a good answer, 1 for a 5xx).
 *
 * <pre>{@code
 * Sample errors = Sample.builder().add(0, 970).add(1, 30).build();
 * }</pre>
 */
public final class Sample {
  private static final Sample EMPTY = new Sample(new double[0], new long[0], 0);

  private final double[] values;
  private final long[] counts;
  private final long size;

  private Sample(double[] values, long[] counts, long size) {
    this.values = values;
    this.counts = counts;
    this.size = size;
  }

  /** A sample with no observations. */
  public static Sample empty() {
    return EMPTY;
  }

  /** Starts a sample; values may come in any order and repeat. */
  public static Builder builder() {
    return new Builder();
  }

  /** A sample of the given observations, one count each. */
  public static Sample of(double... observations) {
    Builder b = builder();
    for (double v : observations) {
      b.add(v, 1);
    }
    return b.build();
  }

  /** The number of observations (the sum of the counts). */
  public long size() {
    return size;
  }

  /** The number of distinct values. */
  public int distinct() {
    return values.length;
  }

  /** The i-th smallest distinct value. */
  public double value(int i) {
    return values[i];
  }

  /** How often the i-th smallest distinct value was observed. */
  public long count(int i) {
    return counts[i];
  }

  /** The mean of the observations; NaN when empty. */
  public double mean() {
    if (size == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      sum += values[i] * counts[i];
    }
    return sum / size;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sample s
        && Arrays.equals(values, s.values)
        && Arrays.equals(counts, s.counts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(values) + Arrays.hashCode(counts);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Sample[");
    for (int i = 0; i < values.length; i++) {
      b.append(i == 0 ? "" : ", ").append(values[i]).append('x').append(counts[i]);
    }
    return b.append(']').toString();
  }

  /** Collects (value, count) pairs for a {@link Sample}. */
  public static final class Builder {
    private final TreeMap<Double, Long> pairs = new TreeMap<>();

    private Builder() {}

    /**
     * Adds {@code count} observations of {@code value}; a count of 0 adds nothing.
     *
     * @throws IllegalArgumentException for a NaN or infinite value or a negative count
     */
    public Builder add(double value, long count) {
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        throw new IllegalArgumentException("value: " + value + " (expected: a finite number)");
      }
      if (count < 0) {
        throw new IllegalArgumentException("count: " + count + " (expected: 0 or more)");
      }
      if (count > 0) {
        // -0.0 and 0.0 are one value here, as they are to a rank test.
        pairs.merge(value == 0 ? 0.0 : value, count, Long::sum);
      }
      return this;
    }

    public Sample build() {
      if (pairs.isEmpty()) {
        return EMPTY;
      }
      double[] v = new double[pairs.size()];
      long[] c = new long[pairs.size()];
      long total = 0;
      int i = 0;
      for (Map.Entry<Double, Long> e : pairs.entrySet()) {
        v[i] = e.getKey();
        c[i] = e.getValue();
        total = Math.addExact(total, c[i]);
        i++;
      }
      return new Sample(v, c, total);
    }
  }
}
