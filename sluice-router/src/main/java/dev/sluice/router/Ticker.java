package dev.sluice.router;

/**
 * A source of monotonic nanoseconds, injected so that tests can drive time.
 *
 * <p>The router reads it on the hot path (request start and end) and for metric windows.
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current reading in nanoseconds; only differences are meaningful. */
  long nanos();

  /** Returns the ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
