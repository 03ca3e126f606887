package dev.sluice.router.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

  @Test
  void maxEjectionPercentRoundsDownButLetsOneOfTwoOrMoreGoAndNeverTheLastUsable() {
    // n replicas, already ejected, usable (healthy, not ejected, the candidate included), percent
    assertThat(OutlierDetector.mayEject(1, 0, 1, 100)).isFalse();
    assertThat(OutlierDetector.mayEject(2, 0, 2, 10)).isTrue();
    assertThat(OutlierDetector.mayEject(2, 1, 1, 100)).isFalse();
    assertThat(OutlierDetector.mayEject(4, 1, 3, 50)).isTrue();
    assertThat(OutlierDetector.mayEject(4, 2, 2, 50)).isFalse();
    assertThat(OutlierDetector.mayEject(10, 0, 10, 0)).isTrue();
    assertThat(OutlierDetector.mayEject(10, 1, 9, 0)).isFalse();
  }
}
