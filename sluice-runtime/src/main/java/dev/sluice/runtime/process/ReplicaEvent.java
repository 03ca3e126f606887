package dev.sluice.runtime.process;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * Something that happened to a replica, told to the {@link ReplicaListener} so the controller can
 * record it and update routing.
 */
public sealed interface ReplicaEvent {

  /** The replica as it was right after the event. */
  Replica replica();

  /**
   * A process of the replica started (or was adopted) and listens, or will, on {@code
   * replica().port()}; the port may differ from before a restart when the old one was taken.
   */
  record Started(Replica replica, boolean adopted) implements ReplicaEvent {}

  /**
   * The replica's process exited.
   *
   * <p>Unexpected ({@code expected} false): it died on its own; {@link RestartScheduled} follows.
   * Expected: a stop finished, the whole process tree is gone and the port is free; this is the
   * replica's last event, sent even when the stop found it in backoff with no process (then the
   * exit code is empty). The exit code is also empty for an adopted process, since only a parent
   * learns it.
   */
  record Exited(Replica replica, OptionalInt exitCode, boolean expected) implements ReplicaEvent {}

  /** The replica will be started again after {@code delay}; {@code attempt} counts from 1. */
  record RestartScheduled(Replica replica, int attempt, Duration delay) implements ReplicaEvent {}

  /**
   * A restart could not even start a process (for example the command's file is gone); {@code
   * reason} says why for people. A {@link RestartScheduled} follows.
   */
  record StartFailed(Replica replica, String reason) implements ReplicaEvent {}
}
