package dev.sluice.core.analysis.internal;

/**
 * The standard normal distribution: tail probabilities and quantiles, accurate to about 1e-14
 * relative, which is far more than a p-value compared with 0.02 needs.
 *
 * <p>The complementary error function uses its Maclaurin series below 2 and the Laplace continued
 * fraction {@code erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))} above
 * (Abramowitz and Stegun 7.1.5 and 7.1.14). The quantile inverts the tail by bisection: it is
 * called once per judgement, so 200 halvings cost nothing.
 */
public final class Normal {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
  private static final double SQRT2 = Math.sqrt(2);

  private Normal() {}

  /** The complementary error function, 1 - erf(x). */
  public static double erfc(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (x < 0) {
      return 2 - erfc(-x);
    }
    if (x < 2) {
      // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
      double term = x;
      double sum = x;
      double x2 = x * x;
      for (int n = 1; n < 200; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
          break;
        }
      }
      return 1 - TWO_OVER_SQRT_PI * sum;
    }
    if (x > 27) {
      return 0; // below the smallest double
    }
    // Continued fraction evaluated from its tail; 120 levels converge for x >= 2.
    double t = x;
    for (int k = 120; k >= 1; k--) {
      t = x + (k / 2.0) / t;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / t;
  }

  /** P(Z > z) for a standard normal Z. */
  public static double upperTail(double z) {
    return 0.5 * erfc(z / SQRT2);
  }

  /** P(|Z| >= |z|): the two-sided p-value of a z statistic. */
  public static double twoSided(double z) {
    return Math.min(1, erfc(Math.abs(z) / SQRT2));
  }

  /** The z with P(Z > z) = {@code tail}, for 0 < tail < 1. */
  public static double upperQuantile(double tail) {
    if (!(tail > 0 && tail < 1)) {
      throw new IllegalArgumentException("tail: " + tail + " (expected: 0 < tail < 1)");
    }
    double lo = -40;
    double hi = 40;
    for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
      double mid = (lo + hi) / 2;
      if (upperTail(mid) > tail) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }
}
