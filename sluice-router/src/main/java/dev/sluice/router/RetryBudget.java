package dev.sluice.router;

/**
 * How many retries a listener may add to its traffic, so that a failing version cannot cause a
 * retry storm.
 *
 * <p>A retry (after a connection failure, or a 503 from a replica) is allowed while the retries of
 * the last 10 seconds stay below {@code percent} % of the requests of those 10 seconds plus {@code
 * minPerSecond} retries per second, so that low traffic can still retry. The accounting is per
 * event loop (each loop gets an equal share of the minimum, rounded up), with no shared counters on
 * the request path.
 *
 * @param percent extra requests retries may add, 0..100 (0: only the minimum)
 * @param minPerSecond retries per second allowed whatever the traffic, 0 or more
 */
public record RetryBudget(int percent, int minPerSecond) {

  /** The default: 20 % and 10 retries per second. */
  public static final RetryBudget DEFAULT = new RetryBudget(20, 10);

  /** Validates. */
  public RetryBudget {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("retryBudget.percent: " + percent + " (expected: 0..100)");
    }
    if (minPerSecond < 0) {
      throw new IllegalArgumentException(
          "retryBudget.minPerSecond: " + minPerSecond + " (expected: 0 or more)");
    }
  }
}
