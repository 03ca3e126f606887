package dev.sluice.core.time;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when told to, for testing anything that takes a {@link Clock}: a
 * 30-minute canary runs in milliseconds.
 *
 * <p>{@code FakeClock clock = FakeClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * clock.advance(Duration.ofSeconds(30));}
 */
public final class FakeClock extends Clock {
  private volatile Instant now;

  private FakeClock(Instant now) {
    this.now = now;
  }

  public static FakeClock at(Instant start) {
    return new FakeClock(start);
  }

  /** Moves the clock forward. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time does not go back: " + d);
    }
    now = now.plus(d);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
