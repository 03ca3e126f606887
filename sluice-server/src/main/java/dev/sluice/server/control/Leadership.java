package dev.sluice.server.control;

import org.jspecify.annotations.Nullable;

/**
 * Whether this Sluice instance decides. Of several instances sharing a store, only the leader runs
 * releases; followers keep serving the API read-only and take over when the leader goes. On
 * Kubernetes a Lease decides ({@code dev.sluice.kubernetes.lease.LeaseElection}).
 *
 * <p>Implementations answer from memory: the controller asks on every tick.
 */
public interface Leadership {

  /** A single instance: it always leads. */
  Leadership ALWAYS = () -> true;

  /** Whether this instance leads now. */
  boolean isLeader();

  /** Who leads, for followers' messages; null when unknown. */
  default @Nullable String leader() {
    return null;
  }

  /**
   * Why this instance cannot tell whether it leads (the store or API holding the lease is
   * unreachable), for {@code /healthz}; null when it can.
   */
  default @Nullable String problem() {
    return null;
  }
}
