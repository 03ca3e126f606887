package dev.sluice.runtime.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  @Test
  void theDefaultStartsAtHalfASecondAndDoublesUpToThirtySeconds() {
    assertThat(IntStream.range(0, 9).mapToObj(RestartBackoff.DEFAULT::delayAfter))
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Duration.ofSeconds(30));
    assertThat(RestartBackoff.DEFAULT.resetAfter()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void aHugeFailureCountStaysAtTheMaximumWithoutOverflowing() {
    assertThat(RestartBackoff.DEFAULT.delayAfter(Integer.MAX_VALUE))
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void badSettingsAreRefusedWithTheFieldAndValue() {
    assertThatThrownBy(
            () -> new RestartBackoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO))
        .hasMessage("backoff.initial: PT0S (expected: more than zero)");
    assertThatThrownBy(
            () -> new RestartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO))
        .hasMessage("backoff.max: PT1S (expected: at least initial, PT2S)");
  }
}
