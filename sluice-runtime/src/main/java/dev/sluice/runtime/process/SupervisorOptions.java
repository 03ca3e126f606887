package dev.sluice.runtime.process;

import java.time.InstantSource;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link ProcessSupervisor}, frozen when it is created.
 *
 * @param clock tells how long a process ran, for {@link RestartBackoff#resetAfter()}; tests pass a
 *     source they move by hand
 * @param backoff delays between restarts of a replica that keeps dying
 * @param host the loopback address replicas listen on and ports are picked on
 * @param ports where replica ports come from, or null to let the kernel pick free ones
 */
public record SupervisorOptions(
    InstantSource clock, RestartBackoff backoff, String host, @Nullable PortRange ports) {

  /** The system clock, {@link RestartBackoff#DEFAULT}, {@code 127.0.0.1}, kernel-picked ports. */
  public static final SupervisorOptions DEFAULT =
      new SupervisorOptions(InstantSource.system(), RestartBackoff.DEFAULT, "127.0.0.1", null);

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
    return new SupervisorOptions(clock, backoff, host, ports);
  }

  /** Returns a copy restarting with {@code backoff}. */
  public SupervisorOptions withBackoff(RestartBackoff backoff) {
    return new SupervisorOptions(clock, backoff, host, ports);
  }

  /** Returns a copy giving replicas ports from {@code ports} (null: kernel-picked). */
  public SupervisorOptions withPorts(@Nullable PortRange ports) {
    return new SupervisorOptions(clock, backoff, host, ports);
  }
}
