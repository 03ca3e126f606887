package dev.sluice.store;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A named lease as the store holds it: who has it, its epoch (the fencing token), and how long it
 * has left by the database's clock.
 *
 * <p>The epoch goes up by one whenever the lease changes hands or is taken again after it expired,
 * and stays while its holder renews it in time. A write fenced by a lease ({@link
 * Store#append(java.util.List, dev.sluice.core.release.Release, Lease)}) succeeds only while the
 * stored lease still has the same holder and epoch and has not expired, so a holder that was paused
 * past its lease and replaced cannot write afterwards.
 *
 * @param name what the lease is for, e.g. {@code leader}
 * @param holder who holds it (a process's id, e.g. {@code host:pid:random})
 * @param epoch 1 for the first holder, one more for each new term
 * @param address what the holder publishes for others, e.g. its control API's URL; null for none
 * @param remaining time left before it expires, by the database's clock; zero when expired
 */
public record Lease(
    String name, String holder, long epoch, @Nullable String address, Duration remaining) {

  /** Whether {@code who} holds this lease and it has not expired. */
  public boolean heldBy(String who) {
    return holder.equals(who) && !expired();
  }

  public boolean expired() {
    return remaining.isZero() || remaining.isNegative();
  }
}
