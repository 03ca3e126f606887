package dev.sluice.runtime.process;

import java.time.InstantSource;
import java.util.Objects;

/**
 * Settings of a {@link ProcessSupervisor}, frozen when it is created.
 *
 * @param clock tells how long a process ran, for {@link RestartBackoff#resetAfter()}; tests pass a
 *     source they move by hand
 * @param backoff delays between restarts of a replica that keeps dying
 * @param host the loopback address replicas listen on and ports are picked on
 */
public record SupervisorOptions(InstantSource clock, RestartBackoff backoff, String host) {

  /** The system clock, {@link RestartBackoff#DEFAULT}, {@code 127.0.0.1}. */
  public static final SupervisorOptions DEFAULT =
      new SupervisorOptions(InstantSource.system(), RestartBackoff.DEFAULT, "127.0.0.1");

  /** Checks the fields. */
  public SupervisorOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(backoff, "backoff");
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: blank (expected: a loopback address)");
    }
  }

  /** Returns a copy that measures run time with {@code clock}. */
  public SupervisorOptions withClock(InstantSource clock) {
    return new SupervisorOptions(clock, backoff, host);
  }

  /** Returns a copy restarting with {@code backoff}. */
  public SupervisorOptions withBackoff(RestartBackoff backoff) {
    return new SupervisorOptions(clock, backoff, host);
  }
}
