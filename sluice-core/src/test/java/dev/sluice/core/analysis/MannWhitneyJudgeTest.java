package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The judge against cases computed by hand (the working is in each test); the p-values agree with
 * SciPy's {@code mannwhitneyu(y, x, use_continuity=True, method="asymptotic")} to the digits shown.
 */
class MannWhitneyJudgeTest {

  private final MannWhitneyJudge judge = MannWhitneyJudge.of(0.98, 0.06);

  @Test
  void aClearShiftUpIsHighWithItsHodgesLehmannShiftAndInterval() {
    // x = 1..10, y = 11..20: every y beats every x, U = mn = 100, A = 1. No ties:
    // var = mn(N+1)/12 = 100*21/12 = 175, sd = 13.2288; z = (100 - 50 - 0.5)/13.2288 = 3.7418;
    // p = 2(1 - Phi(3.7418)) = 1.8267e-4.
    // Differences y - x = 10 + (j - i): value 10+k occurs 10-|k| times, k = -9..9; median 10.
    // C = floor(50 - 2.3263*13.2288) = floor(19.23) = 19; the 19th smallest difference is 6
    // (cumulative counts 1, 3, 6, 10, 15, 21 for 1..6), the 82nd is 14.
    Judgement j = judge.judge(range(1, 10), range(11, 20));
    assertThat(j.classification()).isEqualTo(Classification.HIGH);
    assertThat(j.u()).isEqualTo(100);
    assertThat(j.effect()).isEqualTo(1.0);
    assertThat(j.z()).isCloseTo(3.7418, within(1e-4));
    assertThat(j.p()).isCloseTo(1.8267e-4, within(1e-8));
    assertThat(j.shift()).isEqualTo(10);
    assertThat(j.shiftLow()).isEqualTo(6);
    assertThat(j.shiftHigh()).isEqualTo(14);
    assertThat(j.describe(MetricUnit.MILLISECONDS))
        .isEqualTo(
            "canary higher (Mann-Whitney p=1.8e-4 < 0.02, A=1), shift +10ms, 98% CI +6ms..+14ms");
  }

  @Test
  void aClearShiftDownIsLow() {
    // The mirror image: U = 0, A = 0, z = -3.7418, shift -10, interval -14..-6.
    Judgement j = judge.judge(range(11, 20), range(1, 10));
    assertThat(j.classification()).isEqualTo(Classification.LOW);
    assertThat(j.u()).isZero();
    assertThat(j.z()).isCloseTo(-3.7418, within(1e-4));
    assertThat(j.p()).isCloseTo(1.8267e-4, within(1e-8));
    assertThat(j.shift()).isEqualTo(-10);
    assertThat(j.shiftLow()).isEqualTo(-14);
    assertThat(j.shiftHigh()).isEqualTo(-6);
    assertThat(j.why()).isEqualTo("canary lower (Mann-Whitney p=1.8e-4 < 0.02, A=0)");
  }

  @Test
  void tiesUseMidranksAndTheTieCorrectedVariance() {
    // x = {1,2,2,3,3,3}, y = {2,3,3,4,4}; m = 6, n = 5, mn = 30, N = 11.
    // U: y=2 beats 1 and ties two 2s: 1 + 2/2 = 2; each y=3 beats 1,2,2 and ties three 3s:
    // 3 + 1.5 = 4.5, twice: 9; each y=4 beats all six: 12. U = 23, A = 23/30.
    // Tie groups: 1 (t=1), 2 (t=3), 3 (t=5), 4 (t=2): sum(t^3 - t) = 0 + 24 + 120 + 6 = 150.
    // var = 30/12 * (12 - 150/110) = 2.5 * 10.63636 = 26.5909, sd = 5.15664.
    // z = (23 - 15 - 0.5)/5.15664 = 1.45443, p = 0.14583: not significant at 0.02.
    Judgement j = judge.judge(Sample.of(1, 2, 2, 3, 3, 3), Sample.of(2, 3, 3, 4, 4));
    assertThat(j.u()).isEqualTo(23);
    assertThat(MannWhitneyJudge.varianceOfU(Sample.of(1, 2, 2, 3, 3, 3), Sample.of(2, 3, 3, 4, 4)))
        .isCloseTo(26.5909, within(1e-4));
    assertThat(j.z()).isCloseTo(1.45443, within(1e-5));
    assertThat(j.p()).isCloseTo(0.14583, within(1e-5));
    assertThat(j.effect()).isCloseTo(23.0 / 30, within(1e-12));
    assertThat(j.classification()).isEqualTo(Classification.PASS);
    assertThat(j.why()).isEqualTo("no significant difference (Mann-Whitney p=0.146 >= 0.02)");
  }

  @Test
  void errorOutcomesAsZeroOneCountsAreJudgedOnTheirRates() {
    // Baseline: 100 requests, no 5xx. Canary: 100 requests, 30 of them 5xx.
    // U: the 30 ones beat all 100 zeros (3000), the 70 zeros tie 100 zeros (70 * 50 = 3500):
    // U = 6500, A = 0.65 = 0.5 + (0.30 - 0)/2.
    // Ties: 170 zeros, 30 ones: sum(t^3 - t) = 4912830 + 26970 = 4939800; N(N-1) = 39800.
    // var = 10000/12 * (201 - 124.1156) = 64070.4, sd = 253.12; z = 1499.5/253.12 = 5.924;
    // p = 3.14e-9.
    Sample baseline = Sample.builder().add(0, 100).build();
    Sample canary = Sample.builder().add(0, 70).add(1, 30).build();
    Judgement j = judge.judge(baseline, canary);
    assertThat(j.u()).isEqualTo(6500);
    assertThat(j.effect()).isEqualTo(0.65);
    assertThat(j.z()).isCloseTo(5.924, within(1e-3));
    assertThat(j.p()).isCloseTo(3.1413e-9, within(1e-12));
    assertThat(j.classification()).isEqualTo(Classification.HIGH);
    // For 0/1 outcomes the median difference is 0 whatever the rates; it is not shown.
    assertThat(j.describe(null)).isEqualTo("canary higher (Mann-Whitney p=3.1e-9 < 0.02, A=0.65)");
  }

  @Test
  void identicalSamplesPass() {
    // U = mn/2 exactly, so z = 0 and p = 1.
    Judgement j = judge.judge(Sample.of(1, 2, 3), Sample.of(3, 2, 1));
    assertThat(j.classification()).isEqualTo(Classification.PASS);
    assertThat(j.u()).isEqualTo(4.5);
    assertThat(j.z()).isZero();
    assertThat(j.p()).isEqualTo(1);
    assertThat(j.shift()).isZero();
    assertThat(j.why()).isEqualTo("canary and baseline samples are identical");
  }

  @Test
  void samplesOfOneRepeatedValuePassWithAZeroVariance() {
    // All 8 observations tie: sum(t^3 - t) = 504 = N(N-1)(N+1), so the variance is 0.
    Judgement j =
        judge.judge(Sample.builder().add(5, 3).build(), Sample.builder().add(5, 5).build());
    assertThat(j.classification()).isEqualTo(Classification.PASS);
    assertThat(j.p()).isEqualTo(1);
    assertThat(j.shiftLow()).isZero();
    assertThat(j.shiftHigh()).isZero();
  }

  @Test
  void noDataWhenEitherSampleIsEmpty() {
    assertThat(judge.judge(Sample.empty(), Sample.of(1)).classification())
        .isEqualTo(Classification.NODATA);
    assertThat(judge.judge(Sample.of(1), Sample.empty()).why())
        .isEqualTo("no observations of the canary");
    assertThat(judge.judge(Sample.empty(), Sample.empty()).why())
        .isEqualTo("no observations of either version");
  }

  @Test
  void aSignificantButTinyDifferenceIsBelowTheEffectBound() {
    // 5000 baseline requests at 10 and 10; the canary has 10% at 11 instead: every 11 beats the
    // baseline, so A = 0.5 + 0.1/2 = 0.55 < 0.56. z = (U - mn/2 - 0.5)/sd is about 16: p is tiny.
    Sample baseline = Sample.builder().add(10, 5000).build();
    Sample canary = Sample.builder().add(10, 4500).add(11, 500).build();
    Judgement j = judge.judge(baseline, canary);
    assertThat(j.p()).isLessThan(1e-10);
    assertThat(j.effect()).isCloseTo(0.55, within(1e-12));
    assertThat(j.classification()).isEqualTo(Classification.PASS);
    assertThat(j.why()).isEqualTo("difference too small (A=0.55, |A-0.5| < 0.06)");
    // With no effect bound the same data is High.
    assertThat(MannWhitneyJudge.of(0.98, 0).judge(baseline, canary).classification())
        .isEqualTo(Classification.HIGH);
  }

  @Test
  void smallSamplesLeaveTheShiftIntervalUnbounded() {
    // m = n = 2: C = floor(2 - 2.326 * sd) < 1, no interval at 98%.
    Judgement j = judge.judge(Sample.of(1, 2), Sample.of(3, 4));
    assertThat(j.shiftLow()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(j.shiftHigh()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(j.shift()).isEqualTo(2);
    assertThat(j.classification()).isEqualTo(Classification.PASS);
  }

  @Test
  void largeHistogramsCostTheirDistinctValuesNotTheirCounts() {
    // A million observations per side in 200 distinct values: the shift is exact.
    Sample.Builder b = Sample.builder();
    Sample.Builder c = Sample.builder();
    for (int v = 0; v < 200; v++) {
      b.add(v, 5000);
      c.add(v + 40, 5000);
    }
    Judgement j = judge.judge(b.build(), c.build());
    assertThat(j.shift()).isEqualTo(40);
    assertThat(j.classification()).isEqualTo(Classification.HIGH);
    assertThat(j.shiftLow()).isLessThanOrEqualTo(40).isGreaterThan(39);
    assertThat(j.shiftHigh()).isGreaterThanOrEqualTo(40).isLessThan(41);
    assertThat(j.effect()).isCloseTo(0.68, within(0.01));
  }

  @Test
  void rejectsConfidenceAndEffectOutOfRange() {
    assertThatThrownBy(() -> MannWhitneyJudge.of(1.0, 0.06))
        .hasMessage("confidence: 1.0 (expected: 0.5..0.9999)");
    assertThatThrownBy(() -> MannWhitneyJudge.of(0.98, 0.6))
        .hasMessage("effectBound: 0.6 (expected: 0..0.5)");
  }

  private static Sample range(int from, int to) {
    Sample.Builder b = Sample.builder();
    for (int i = from; i <= to; i++) {
      b.add(i, 1);
    }
    return b.build();
  }
}
