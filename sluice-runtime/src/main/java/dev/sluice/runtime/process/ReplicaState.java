package dev.sluice.runtime.process;

/** Where a replica is in its life, as the supervisor sees it. */
public enum ReplicaState {
  /** Its process is running (it may not be ready for traffic yet: the router's checks decide). */
  RUNNING,
  /** Its process died or could not start; a restart is scheduled after a backoff delay. */
  BACKOFF,
  /** Stop was requested: its process tree got SIGTERM and gets SIGKILL after the stop grace. */
  STOPPING,
  /** It and every process of its tree are gone; the supervisor forgets it. */
  STOPPED
}
