package dev.sluice.runtime.process;

import dev.sluice.runtime.Endpoint;
import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one replica of a version: where it listens, which process it is, and its state.
 *
 * <p>{@code pid} and {@code startInstant} together identify the process across a restart of the
 * daemon (a pid alone may be recycled); persist them with {@code port} and pass them to {@link
 * ProcessSupervisor#adopt} to take the replica over again.
 *
 * @param index 0-based position of the replica in its version; {@code SLUICE_REPLICA} in its
 *     environment
 * @param host the loopback address it was told to listen on
 * @param port the port in its {@code PORT} variable; 0 while it never got one (its first start
 *     failed before a port was picked)
 * @param pid its current process, or the last one when {@code state} is {@link
 *     ReplicaState#BACKOFF} or {@link ReplicaState#STOPPED}; {@link #NO_PID} when it never started
 * @param startInstant when the process with {@code pid} started (as {@link
 *     ProcessHandle.Info#startInstant()} reports it), or null when unknown
 * @param restarts how many times the supervisor restarted it after it died
 * @param logFile the file its stdout and stderr are appended to
 */
public record Replica(
    String app,
    String version,
    int index,
    String host,
    int port,
    long pid,
    @Nullable Instant startInstant,
    ReplicaState state,
    int restarts,
    Path logFile) {

  /** The {@code pid} of a replica whose process never started. */
  public static final long NO_PID = -1;

  /** Returns the replica's stable id, {@code app/version/index}. */
  public String id() {
    return Endpoint.idOf(app, version, index);
  }

  /** Returns where it listens, as the router wants it. */
  public Endpoint endpoint() {
    return new Endpoint(id(), host, port);
  }
}
