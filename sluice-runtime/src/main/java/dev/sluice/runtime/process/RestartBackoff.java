package dev.sluice.runtime.process;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the supervisor waits before restarting a replica that died: {@code initial}, doubling on
 * each consecutive failure up to {@code max}, back to {@code initial} once a process has run for
 * {@code resetAfter}.
 *
 * <p>The shape is the one Kubernetes uses for crash loops (10 s doubling to 5 min, reset after 10
 * min of running), with shorter defaults because a local process restarts in a moment.
 *
 * @param initial the first delay, more than zero
 * @param max the largest delay, at least {@code initial}
 * @param resetAfter how long a process must run for its next failure to count as the first
 */
public record RestartBackoff(Duration initial, Duration max, Duration resetAfter) {

  /** 0.5 s doubling to 30 s, reset after 60 s of running. */
  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));

  /** Checks the fields; throws {@link IllegalArgumentException} naming the bad one. */
  public RestartBackoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(resetAfter, "resetAfter");
    if (initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException(
          "backoff.initial: " + initial + " (expected: more than zero)");
    }
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff.max: " + max + " (expected: at least initial, " + initial + ")");
    }
    if (resetAfter.isNegative()) {
      throw new IllegalArgumentException(
          "backoff.resetAfter: " + resetAfter + " (expected: zero or more)");
    }
  }

  /**
   * Returns the delay before the restart that follows {@code failures} earlier consecutive
   * failures: {@code initial * 2^failures}, at most {@code max}.
   */
  public Duration delayAfter(int failures) {
    if (failures < 0) {
      throw new IllegalArgumentException("failures: " + failures + " (expected: zero or more)");
    }
    Duration delay = initial;
    for (int i = 0; i < failures && delay.compareTo(max) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
