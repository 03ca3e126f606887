package dev.sluice.router;

/** How a listener picks a replica within the chosen version. */
public enum Balancing {
  /** The healthy replica with the fewest requests in flight; ties rotate. */
  LEAST_OUTSTANDING,
  /** Healthy replicas in turn. */
  ROUND_ROBIN
}
