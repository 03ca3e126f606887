package dev.sluice.flags.internal.flagd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The bucket formula {@code (unsigned hash * totalWeight) >>> 32} at the edges of the hash range,
 * where a signed or modulo-based formula would go wrong.
 */
class FractionalTest {
  @Test
  void bucketFormulaAtTheHashEdges() {
    assertThat(Fractional.bucket(0, 100)).isEqualTo(0);
    assertThat(Fractional.bucket(0x7fffffff, 100)).isEqualTo(49);
    assertThat(Fractional.bucket(0x80000000, 100)).isEqualTo(50);
    assertThat(Fractional.bucket(0xffffffff, 100)).isEqualTo(99);
  }

  @Test
  void bucketStaysInRangeForExtremeTotals() {
    assertThat(Fractional.bucket(0xffffffff, 1)).isEqualTo(0);
    assertThat(Fractional.bucket(0xffffffff, Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE - 1);
    assertThat(Fractional.bucket(0x80000000, Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE / 2);
    assertThat(Fractional.bucket(0, Integer.MAX_VALUE)).isEqualTo(0);
  }

  @Test
  void aFiftyFiftySplitDividesTheHashSpaceAtItsMiddle() {
    assertThat(Fractional.bucket(0x7fffffff, 2)).isEqualTo(0);
    assertThat(Fractional.bucket(0x80000000, 2)).isEqualTo(1);
  }
}
