package dev.sluice.server.kubernetes;

import dev.sluice.kubernetes.lease.LeaseElection;
import dev.sluice.server.control.Leadership;
import org.jspecify.annotations.Nullable;

/** Leadership decided by a Kubernetes Lease. */
public final class LeaseLeadership implements Leadership, AutoCloseable {
  private final LeaseElection election;

  public LeaseLeadership(LeaseElection election) {
    this.election = election;
  }

  @Override
  public boolean isLeader() {
    return election.isLeader();
  }

  @Override
  public @Nullable String leader() {
    return election.leader();
  }

  /** Stops standing; the Lease is released if this instance holds it. */
  @Override
  public void close() {
    election.close();
  }
}
