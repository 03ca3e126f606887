package dev.sluice.core.analysis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Reference values from SciPy ({@code scipy.special.erfc}, {@code scipy.stats.norm.isf}). */
class NormalTest {

  @Test
  void erfcIsAccurateOnBothSidesOfTheSeriesAndFractionBoundary() {
    assertRelative(Normal.erfc(0.5), 0.4795001221869535);
    assertRelative(Normal.erfc(1.9999), 0.00467980209297061);
    assertRelative(Normal.erfc(2.0), 0.004677734981047266);
    assertRelative(Normal.erfc(3.0), 2.2090496998585445e-05);
    assertRelative(Normal.erfc(6.0), 2.1519736712498913e-17);
    assertRelative(Normal.erfc(10.0), 2.0884875837625446e-45);
    assertThat(Normal.erfc(0)).isEqualTo(1.0);
    assertRelative(Normal.erfc(-0.5), 2 - 0.4795001221869535);
  }

  @Test
  void quantilesInvertTheTail() {
    assertThat(Normal.upperQuantile(0.01)).isCloseTo(2.3263478740408408, within(1e-12));
    assertThat(Normal.upperQuantile(0.005)).isCloseTo(2.575829303548901, within(1e-12));
    assertThat(Normal.twoSided(1.959963984540054)).isCloseTo(0.05, within(1e-14));
    assertThat(Normal.twoSided(0)).isEqualTo(1.0);
  }

  @Test
  void decimalsAreShortAndSigned() {
    assertThat(Decimals.format(2.0512)).isEqualTo("2.05");
    assertThat(Decimals.format(412.4)).isEqualTo("412");
    assertThat(Decimals.format(12345.6)).isEqualTo("12346");
    assertThat(Decimals.format(0.0123)).isEqualTo("0.0123");
    assertThat(Decimals.format(3.14e-9)).isEqualTo("3.1e-9");
    assertThat(Decimals.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(Decimals.format(-0.0)).isEqualTo("0");
  }

  private static void assertRelative(double actual, double expected) {
    assertThat(Math.abs(actual - expected) / Math.abs(expected)).isLessThan(1e-12);
  }
}
