package dev.sluice.store;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Named leases with fencing tokens, kept in the store so that several Sluice processes sharing one
 * database agree on which of them leads.
 *
 * <p>Expiry is judged by the database's clock (the one clock every process shares), never by a
 * caller's, so hosts whose clocks disagree cannot both believe they hold a lease. A holder should
 * still treat its lease as lost once {@code ttl} has passed on its own clock since it last asked,
 * because it cannot know whether a renewal that failed reached the database.
 *
 * <p>Every method may throw {@link StoreException} when the database cannot be reached.
 */
public interface LeaseStore {

  /**
   * Takes the lease for {@code holder} when nobody has it or it expired, or renews it when {@code
   * holder} has it already; otherwise leaves it alone.
   *
   * @param address published with the lease while {@code holder} has it (e.g. its API URL)
   * @param ttl how long the lease lasts from now, by the database's clock
   * @return the lease after the attempt: {@code holder}'s (check {@link Lease#heldBy}) or the
   *     current holder's
   */
  Lease acquireLease(String name, String holder, @Nullable String address, Duration ttl);

  /** The lease as it stands, if anybody ever held it. */
  Optional<Lease> lease(String name);

  /**
   * Gives a lease up at once, so another process can take it without waiting for it to expire. Does
   * nothing when {@code lease} is no longer current.
   */
  void releaseLease(Lease lease);
}
