package dev.sluice.router;

import java.time.Clock;
import java.util.Objects;

/**
 * Settings of a {@link Router}, frozen when the router is created.
 *
 * @param eventLoops number of event-loop threads; client connections, their upstream connections
 *     and health checks all run on these
 * @param maxIdlePerEndpoint idle upstream connections kept per endpoint per event loop
 * @param ticker time source for latencies and metric windows
 * @param clock wall-clock time source, for the timestamps of shadow diff samples
 * @param maxShadowInFlight shadow copies outstanding per event loop; more are dropped
 */
public record RouterOptions(
    int eventLoops, int maxIdlePerEndpoint, Ticker ticker, Clock clock, int maxShadowInFlight) {

  /** Validates. */
  public RouterOptions {
    if (eventLoops < 1) {
      throw new IllegalArgumentException(
          "eventLoops: " + eventLoops + " (expected: 1 or more threads)");
    }
    if (maxIdlePerEndpoint < 0) {
      throw new IllegalArgumentException(
          "maxIdlePerEndpoint: " + maxIdlePerEndpoint + " (expected: 0 or more)");
    }
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(clock, "clock");
    if (maxShadowInFlight < 0) {
      throw new IllegalArgumentException(
          "maxShadowInFlight: " + maxShadowInFlight + " (expected: 0 or more)");
    }
  }

  /** Options with the system clock and 1000 shadow copies per event loop. */
  public RouterOptions(int eventLoops, int maxIdlePerEndpoint, Ticker ticker) {
    this(eventLoops, maxIdlePerEndpoint, ticker, Clock.systemUTC(), 1000);
  }

  /**
   * One event loop per available processor, 256 idle connections, the system ticker and clock, 1000
   * shadow copies in flight per event loop.
   */
  public static RouterOptions defaults() {
    return new RouterOptions(Runtime.getRuntime().availableProcessors(), 256, Ticker.system());
  }

  /** Returns a copy with this many event loops. */
  public RouterOptions withEventLoops(int n) {
    return new RouterOptions(n, maxIdlePerEndpoint, ticker, clock, maxShadowInFlight);
  }

  /** Returns a copy keeping at most this many idle connections per endpoint and event loop. */
  public RouterOptions withMaxIdlePerEndpoint(int n) {
    return new RouterOptions(eventLoops, n, ticker, clock, maxShadowInFlight);
  }

  /** Returns a copy with this time source. */
  public RouterOptions withTicker(Ticker t) {
    return new RouterOptions(eventLoops, maxIdlePerEndpoint, t, clock, maxShadowInFlight);
  }

  /** Returns a copy with this wall clock. */
  public RouterOptions withClock(Clock c) {
    return new RouterOptions(eventLoops, maxIdlePerEndpoint, ticker, c, maxShadowInFlight);
  }

  /** Returns a copy allowing this many shadow copies in flight per event loop. */
  public RouterOptions withMaxShadowInFlight(int n) {
    return new RouterOptions(eventLoops, maxIdlePerEndpoint, ticker, clock, n);
  }
}
