package dev.sluice.core.analysis;

import dev.sluice.core.analysis.internal.Decimals;
import dev.sluice.core.analysis.internal.Normal;

/**
 * The statistical judge of a canary: compares its observations with the baseline's over the same
 * window, the way Netflix's Kayenta does, with a Mann-Whitney U test for whether one tends to be
 * larger and an effect size for whether the difference matters.
 *
 * <pre>{@code
 * MannWhitneyJudge judge = MannWhitneyJudge.of(0.98, 0.06);
 * Judgement j = judge.judge(baselineLatencies, canaryLatencies);
 * if (j.classification() == Classification.HIGH) { ... }
 * }</pre>
 *
 * <h2>Algorithm</h2>
 *
 * <p>Let the baseline have m observations x and the canary n observations y, each given as distinct
 * values with counts ({@link Sample}).
 *
 * <ol>
 *   <li><b>U.</b> U = the number of pairs (x, y) with y > x, plus half the pairs with y = x (Mann
 *       and Whitney 1947). Walking both sorted samples once gives it, so a latency histogram of
 *       thousands of requests costs its number of distinct values, not its number of requests.
 *   <li><b>z with ties.</b> Under "no difference" U has mean mn/2 and variance {@code mn/12 *
 *       ((N+1) - sum(t^3 - t) / (N(N-1)))}, N = m + n, where t runs over the sizes of groups of
 *       equal values across both samples (the tie correction: Lehmann, <i>Nonparametrics</i>, 1975,
 *       ch. 1; the same as R's {@code wilcox.test(exact = FALSE)} and SciPy's {@code
 *       mannwhitneyu(method = "asymptotic")}). z = (U - mn/2 -+ 0.5) / sd, the 0.5 being the
 *       continuity correction, which never crosses zero. Heavy ties are normal here: error outcomes
 *       are 0/1, and the histogram keeps 2 significant digits.
 *   <li><b>p.</b> Two-sided, p = P(|Z| >= |z|). The difference is significant when p < 1 -
 *       confidence (0.02 at the default confidence 0.98, Kayenta's level).
 *   <li><b>Effect size.</b> A = U / (mn): the probability that a random canary observation is
 *       larger than a random baseline one, ties counting half (the "common language effect size" of
 *       McGraw and Wong 1992, the A measure of Vargha and Delaney 2000, one of Kayenta's two effect
 *       measures). 0.5 means no tendency either way. With thousands of requests a harmless
 *       difference of a few microseconds is "significant"; the judge calls a difference only when
 *       also |A - 0.5| reaches the effect bound. A is chosen over Kayenta's default (the ratio of
 *       means) because it is defined for every sample Sluice has: for 0/1 error outcomes A - 0.5 is
 *       exactly half the difference of the two error rates, and a baseline with no errors (mean 0)
 *       gives no division by zero. Vargha and Delaney call |A - 0.5| of 0.06, 0.14 and 0.21 small,
 *       medium and large.
 *   <li><b>Classification.</b> NoData when either sample is empty; Pass when the samples are
 *       identical, the difference is not significant, or it is smaller than the bound; otherwise
 *       High (A > 0.5, the canary is larger) or Low.
 *   <li><b>Location shift, for people.</b> The Hodges-Lehmann estimate (Hodges and Lehmann 1963):
 *       the median of the mn differences y - x, with its distribution-free confidence interval from
 *       the C-th smallest to the C-th largest difference, C = floor(mn/2 - z(1 - alpha/2) * sd)
 *       (Lehmann 1975, sec. 2.6; Hollander and Wolfe, <i>Nonparametric Statistical Methods</i>,
 *       sec. 4.3), the interval Kayenta's classifier compares with zero. Order statistics of the mn
 *       weighted differences are found by bisection over the doubles, counting differences below a
 *       candidate in one walk of both samples, so nothing of size mn is ever built. The shift is
 *       reported ("+203ms") but does not decide: for 0/1 samples it is 0 whatever the error rates.
 * </ol>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class MannWhitneyJudge {

  /** Kayenta's confidence level, Sluice's default. */
  public static final double DEFAULT_CONFIDENCE = 0.98;

  private final double confidence;
  private final double effectBound;
  private final double zQuantile;

  private MannWhitneyJudge(double confidence, double effectBound) {
    this.confidence = confidence;
    this.effectBound = effectBound;
    this.zQuantile = Normal.upperQuantile((1 - confidence) / 2);
  }

  /**
   * A judge at a confidence level and with an effect bound.
   *
   * @param confidence 0.5 to 0.9999; differences with p >= 1 - confidence pass
   * @param effectBound 0 to 0.5: the smallest {@code |A - 0.5|} called a difference
   * @throws IllegalArgumentException for values out of range
   */
  public static MannWhitneyJudge of(double confidence, double effectBound) {
    if (!(confidence >= 0.5 && confidence <= 0.9999)) {
      throw new IllegalArgumentException("confidence: " + confidence + " (expected: 0.5..0.9999)");
    }
    if (!(effectBound >= 0 && effectBound <= 0.5)) {
      throw new IllegalArgumentException("effectBound: " + effectBound + " (expected: 0..0.5)");
    }
    return new MannWhitneyJudge(confidence, effectBound);
  }

  public double confidence() {
    return confidence;
  }

  public double effectBound() {
    return effectBound;
  }

  /** Compares the canary with the baseline. */
  public Judgement judge(Sample baseline, Sample canary) {
    long m = baseline.size();
    long n = canary.size();
    if (m == 0 || n == 0) {
      String which = m == 0 && n == 0 ? "either version" : m == 0 ? "the baseline" : "the canary";
      return new Judgement(
          Classification.NODATA,
          confidence,
          effectBound,
          m,
          n,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          "no observations of " + which);
    }
    double mn = (double) m * n;
    double u = u(baseline, canary);
    double sd = Math.sqrt(varianceOfU(baseline, canary));
    double d = u - mn / 2;
    double z = sd == 0 ? 0 : Math.signum(d) * Math.max(0, Math.abs(d) - 0.5) / sd;
    double p = sd == 0 ? 1 : Normal.twoSided(z);
    double effect = u / mn;

    double shift = median(baseline, canary, mn);
    double low = Double.NEGATIVE_INFINITY;
    double high = Double.POSITIVE_INFINITY;
    double c = Math.floor(mn / 2 - zQuantile * sd);
    if (sd == 0) {
      low = shift;
      high = shift;
    } else if (c >= 1) {
      low = kth(baseline, canary, c);
      high = kth(baseline, canary, mn + 1 - c);
    }

    double alpha = 1 - confidence;
    Classification cls;
    String why;
    String stats = "Mann-Whitney p=" + pText(p);
    if (baseline.equals(canary)) {
      cls = Classification.PASS;
      why = "canary and baseline samples are identical";
    } else if (!(p < alpha)) {
      cls = Classification.PASS;
      why = "no significant difference (" + stats + " >= " + Decimals.format(alpha) + ")";
    } else if (Math.abs(effect - 0.5) < effectBound) {
      cls = Classification.PASS;
      why =
          "difference too small (A="
              + Decimals.format(effect)
              + ", |A-0.5| < "
              + Decimals.format(effectBound)
              + ")";
    } else {
      cls = effect > 0.5 ? Classification.HIGH : Classification.LOW;
      why =
          (cls == Classification.HIGH ? "canary higher (" : "canary lower (")
              + stats
              + " < "
              + Decimals.format(alpha)
              + ", A="
              + Decimals.format(effect)
              + ")";
    }
    return new Judgement(
        cls, confidence, effectBound, m, n, u, z, p, effect, shift, low, high, why);
  }

  private static String pText(double p) {
    return p >= 0.001 ? Decimals.format(p) : Decimals.scientific(p);
  }

  /** U of the canary: pairs with y > x, ties counting half. */
  static double u(Sample x, Sample y) {
    double u = 0;
    long below = 0;
    int i = 0;
    for (int j = 0; j < y.distinct(); j++) {
      double v = y.value(j);
      while (i < x.distinct() && x.value(i) < v) {
        below += x.count(i);
        i++;
      }
      long equal = i < x.distinct() && x.value(i) == v ? x.count(i) : 0;
      u += y.count(j) * (below + equal / 2.0);
    }
    return u;
  }

  /** The variance of U under no difference, corrected for ties. */
  static double varianceOfU(Sample x, Sample y) {
    double m = x.size();
    double n = y.size();
    double total = m + n;
    double ties = 0;
    int i = 0;
    int j = 0;
    while (i < x.distinct() || j < y.distinct()) {
      double t;
      if (j >= y.distinct() || (i < x.distinct() && x.value(i) < y.value(j))) {
        t = x.count(i++);
      } else if (i >= x.distinct() || y.value(j) < x.value(i)) {
        t = y.count(j++);
      } else {
        t = (double) x.count(i++) + y.count(j++);
      }
      ties += t * t * t - t;
    }
    return m * n / 12 * ((total + 1) - ties / (total * (total - 1)));
  }

  /** The median of the differences y - x. */
  private static double median(Sample x, Sample y, double mn) {
    if (mn % 2 == 1) {
      return kth(x, y, (mn + 1) / 2);
    }
    return (kth(x, y, mn / 2) + kth(x, y, mn / 2 + 1)) / 2;
  }

  /**
   * The k-th smallest (1-based) of the differences y - x, each pair weighted by its counts. Bisects
   * over the ordered bit patterns of doubles, so it needs at most 64 steps whatever the scale, each
   * a walk of both samples.
   */
  static double kth(Sample x, Sample y, double k) {
    double lo = y.value(0) - x.value(x.distinct() - 1);
    double hi = y.value(y.distinct() - 1) - x.value(0);
    if (atMost(x, y, lo) >= k) {
      return lo;
    }
    // Invariant: fewer than k differences are <= lo, at least k are <= hi.
    long a = order(lo);
    long b = order(hi);
    while (a < b - 1) {
      long mid = (a & b) + ((a ^ b) >> 1); // the floor of the mean, without overflow
      if (atMost(x, y, unorder(mid)) >= k) {
        b = mid;
      } else {
        a = mid;
      }
    }
    return unorder(b) + 0.0; // hi is now a difference itself; + 0.0 turns -0.0 into 0.0
  }

  /** The weighted number of differences y - x that are <= t. */
  private static double atMost(Sample x, Sample y, double t) {
    // For each y, the x with y - x <= t are a suffix of the sorted x; it starts further right as y
    // grows. Comparing y - x rather than x with y - t keeps candidates exact.
    double total = 0;
    long excluded = 0;
    int i = 0;
    long m = x.size();
    for (int j = 0; j < y.distinct(); j++) {
      while (i < x.distinct() && y.value(j) - x.value(i) > t) {
        excluded += x.count(i);
        i++;
      }
      total += (double) y.count(j) * (m - excluded);
    }
    return total;
  }

  /** Maps a double to a long that sorts the same way (negative numbers included). */
  private static long order(double d) {
    long bits = Double.doubleToLongBits(d);
    return bits < 0 ? Long.MIN_VALUE - bits - 1 : bits;
  }

  private static double unorder(long key) {
    return Double.longBitsToDouble(key < 0 ? Long.MIN_VALUE - key - 1 : key);
  }
}
