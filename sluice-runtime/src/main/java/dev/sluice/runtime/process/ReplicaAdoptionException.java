package dev.sluice.runtime.process;

import java.io.Serial;

/**
 * Thrown by {@link ProcessSupervisor#adopt} when a process cannot be taken over; the caller then
 * starts a fresh replica instead (with {@link ProcessSupervisor#scale}).
 */
public final class ReplicaAdoptionException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /** Why adoption was refused. */
  public enum Reason {
    /** No live process has that pid. */
    NOT_RUNNING,
    /** A process has that pid but started at another instant: the pid was recycled. */
    START_INSTANT_MISMATCH,
    /** The supervisor already runs a replica with that index for the version. */
    INDEX_TAKEN,
    /** Another replica of the supervisor already uses that port. */
    PORT_TAKEN,
    /** The pid is the supervisor's own process or one of its ancestors. */
    NOT_A_REPLICA
  }

  private final Reason reason;
  private final long pid;

  /** Creates one for {@code pid} with a message for people. */
  public ReplicaAdoptionException(Reason reason, long pid, String message) {
    super(message);
    this.reason = reason;
    this.pid = pid;
  }

  /** Why adoption was refused. */
  public Reason reason() {
    return reason;
  }

  /** The pid that was not adopted. */
  public long pid() {
    return pid;
  }
}
